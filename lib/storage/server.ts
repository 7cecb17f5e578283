/**
 * Storage wired to this process's configuration: the clients, the bucket names, the deps the storage
 * functions take, start-up bucket set-up and the self-check of the server's guarantees. Node-only.
 */
import { expireCacheTags } from '../cache';
import { getConfig } from '../config';
import { getDatabase } from '../db';
import { bucketNames, type BucketName } from './bucket-table';
import { ensureBuckets, type BucketStatus } from './buckets';
import { getStorageClients } from './clients';
import { storageBackend } from './backends';
import { putBucketCors } from './bucket-cors';
import { checkStorageGuarantees, type GuaranteeReport } from './guarantees';
import { fileListTag, type StorageDeps } from './files';

function clients() {
  return getStorageClients(getConfig().storage);
}

export function resolvedBuckets(): Record<BucketName, string> {
  return bucketNames(getConfig().storage.bucketPrefix);
}

export async function getStorageDeps(): Promise<StorageDeps> {
  const { operations, signing, uploads } = clients();
  const config = getConfig();
  return {
    db: await getDatabase(config.database),
    operations,
    signer: signing,
    uploads,
    buckets: resolvedBuckets(),
    quotaBytes: config.storage.quotaBytes,
    listingChanged: (userId) => expireCacheTags([fileListTag(userId)]),
  };
}

/** Creates every bucket that is missing; safe to run from several instances at once. */
export function setUpConfiguredBuckets(options?: { attempts?: number }): Promise<BucketStatus> {
  const config = getConfig();
  const backend = storageBackend(config.storage.backend);
  return ensureBuckets(clients().operations, resolvedBuckets(), config.storage.region, {
    ...options,
    configureBrowserBucket:
      backend.cors === 'per-bucket' ? (bucket) => putBucketCors(config.storage, bucket, [config.appUrl]) : undefined,
    missingHint: backend.buckets.madeBy === 'init' ? backend.buckets.hint : undefined,
  });
}

/** The start-up self-check of the configured server's guarantees (lib/storage/guarantees.ts). */
export function verifyStorageGuarantees(): Promise<GuaranteeReport> {
  const config = getConfig();
  return checkStorageGuarantees({
    client: clients().operations,
    bucket: resolvedBuckets().audio,
    appOrigin: new URL(config.appUrl).origin,
    corsHint: storageBackend(config.storage.backend).corsHint,
  });
}

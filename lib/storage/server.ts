/**
 * Storage wired to this process's configuration: the clients, the bucket names, start-up bucket creation,
 * and the helpers callers already use (uploadFile, downloadFile, getFileStream, deleteFile, getUploadUrl,
 * getDownloadUrl, BUCKETS, minioClient). Node-only.
 */
import type { Client } from 'minio';
import type { Readable } from 'node:stream';
import { expireCacheTags } from '../cache';
import { getConfig } from '../config';
import { getDatabase } from '../db';
import { bucketNames, initializeBuckets as createBuckets, type BucketName, type BucketStatus } from './buckets';
import { getStorageClients } from './clients';
import { storageBackend } from './backends';
import { putBucketCors } from './bucket-cors';
import { createDownloadUrl } from './downloads';
import { checkStorageGuarantees, type GuaranteeReport } from './guarantees';
import { fileListTag, type StorageDeps } from './files';
import { createPostUpload, type PostUpload } from './uploads';

function clients() {
  return getStorageClients(getConfig().storage);
}

export function resolvedBuckets(): Record<BucketName, string> {
  return bucketNames(getConfig().storage.bucketPrefix);
}

export async function getStorageDeps(): Promise<StorageDeps> {
  const { operations, signing, partSigner } = clients();
  const config = getConfig();
  return {
    db: await getDatabase(config.database),
    operations,
    signer: signing,
    partSigner,
    buckets: resolvedBuckets(),
    quotaBytes: config.storage.quotaBytes,
    listingChanged: (userId) => expireCacheTags([fileListTag(userId)]),
  };
}

/** Creates every bucket that is missing; safe to run from several instances at once. */
export function initializeBuckets(options?: { attempts?: number }): Promise<BucketStatus> {
  const config = getConfig();
  const backend = storageBackend(config.storage.backend);
  return createBuckets(clients().operations, resolvedBuckets(), config.storage.region, {
    ...options,
    configureBrowserBucket: backend.cors === 'per-bucket' ? (bucket) => putBucketCors(config.storage, bucket, [config.appUrl]) : undefined,
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

/** The bucket names by their old constant names, resolved from configuration on use. */
export const BUCKETS = {
  get AUDIO() {
    return resolvedBuckets().audio;
  },
  get EXPORTS() {
    return resolvedBuckets().exports;
  },
  get AVATARS() {
    return resolvedBuckets().avatars;
  },
  get BACKUPS() {
    return resolvedBuckets().backups;
  },
};

/** The operations client (internal endpoint), made on first use. */
export const minioClient: Client = new Proxy({} as Client, {
  get(_target, property) {
    const client = clients().operations;
    const value = Reflect.get(client, property, client);
    return typeof value === 'function' ? value.bind(client) : value;
  },
});

export async function uploadFile(bucket: string, key: string, body: Buffer | Readable | string, contentType = 'application/octet-stream'): Promise<void> {
  await clients().operations.putObject(bucket, key, body, undefined, { 'Content-Type': contentType });
}

export async function getFileStream(bucket: string, key: string): Promise<Readable> {
  return clients().operations.getObject(bucket, key);
}

export async function downloadFile(bucket: string, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await getFileStream(bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function deleteFile(bucket: string, key: string): Promise<void> {
  await clients().operations.removeObject(bucket, key);
}

/** A presigned POST policy for exactly this key, type and maximum size. */
export function getUploadUrl(bucket: string, key: string, contentType: string, maxBytes: number): Promise<PostUpload> {
  return createPostUpload(clients().signing, { bucket, key, contentType, maxBytes });
}

export function getDownloadUrl(bucket: string, key: string, name = key.split('/').pop() ?? 'file', contentType = 'application/octet-stream'): Promise<string> {
  return createDownloadUrl(clients().signing, { bucket, key, name, contentType, inline: false });
}

// Storage fixtures on the real MinIO and Postgres: deps for the storage functions, a user to own files,
// and the browser's side of an upload (a multipart/form-data POST to the presigned URL) done with fetch.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createUser } from '@/lib/auth';
import { loadConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { sendToStorage } from '@/lib/storage/storage-http';
import {
  bucketNames,
  createAppUploads,
  createOperationsClient,
  createSigningClient,
  ensureBuckets,
  type StorageDeps,
} from '@/lib/storage';

export async function storageDeps(): Promise<StorageDeps> {
  const config = loadConfig(process.env);
  const operations = createOperationsClient(config.storage);
  const buckets = bucketNames(config.storage.bucketPrefix);
  await ensureBuckets(operations, buckets, config.storage.region);
  return {
    db: await getDatabase(config.database),
    operations,
    signer: createSigningClient(config.storage),
    uploads: createAppUploads(config.storage, { operations, signing: createSigningClient(config.storage) }),
    buckets,
    quotaBytes: config.storage.quotaBytes,
  };
}

export async function makeUser(deps: StorageDeps): Promise<string> {
  const user = await createUser(deps.db, {
    email: `owner.${Date.now()}.${randomBytes(3).toString('hex')}@zigznote.test`,
    name: 'Owner',
    passwordHash: 'scrypt$unused',
  });
  return user!.id;
}

/** The browser's side of a POST upload (see sendToStorage for why not fetch). */
export async function postToStorage(
  url: string,
  fields: Record<string, string>,
  body: Buffer,
  contentType: string,
  filename = 'upload.bin',
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(body)], { type: contentType }), filename);
  const encoded = new Response(form);
  const payload = Buffer.from(await encoded.arrayBuffer());
  return sendToStorage('POST', url, payload, { 'Content-Type': encoded.headers.get('content-type')! });
}

export { sendToStorage };

type Refusal = 'too-large' | 'policy' | 'signature' | 'expired';

/**
 * How each storage server words a refusal. The status and code differ (MinIO answers 403 for a policy
 * condition, Garage 400 InvalidRequest), the refusal does not: the tests assert both, per backend.
 */
const REFUSALS: Record<'minio' | 'garage', Record<Refusal, { status: number; body: RegExp }>> = {
  minio: {
    'too-large': { status: 400, body: /EntityTooLarge/ },
    policy: { status: 403, body: /Policy Condition failed|AccessDenied/ },
    signature: { status: 403, body: /SignatureDoesNotMatch/ },
    expired: { status: 403, body: /AccessDenied|expired/i },
  },
  garage: {
    'too-large': { status: 400, body: /File size does not match policy/ },
    policy: { status: 400, body: /InvalidRequest/ },
    signature: { status: 403, body: /Invalid signature/ },
    expired: { status: 400, body: /Expiration date is in the past/ },
  },
};

export function storageBackendName(): 'minio' | 'garage' {
  return loadConfig(process.env).storage.backend;
}

export function expectRefused(response: { status: number; body: string }, refusal: Refusal) {
  const expected = REFUSALS[storageBackendName()][refusal];
  expect({ status: response.status, body: response.body }).toEqual({
    status: expected.status,
    body: expect.stringMatching(expected.body),
  });
}

// Storage fixtures on the real MinIO and Postgres: deps for the storage functions, a user to own files,
// and the browser's side of an upload (a multipart/form-data POST to the presigned URL) done with fetch.
import { randomBytes } from 'node:crypto';
import { createUser } from '@/lib/auth';
import { loadConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { bucketNames, createOperationsClient, createPartSigner, createSigningClient, ensureBuckets, type StorageDeps } from '@/lib/storage';

export async function storageDeps(): Promise<StorageDeps> {
  const config = loadConfig(process.env);
  const operations = createOperationsClient(config.storage);
  const buckets = bucketNames(config.storage.bucketPrefix);
  await ensureBuckets(operations, buckets, config.storage.region);
  return {
    db: await getDatabase(config.database),
    operations,
    signer: createSigningClient(config.storage),
    partSigner: createPartSigner(config.storage),
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

export async function postToStorage(url: string, fields: Record<string, string>, body: Buffer, contentType: string, filename = 'upload.bin') {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(body)], { type: contentType }), filename);
  const response = await fetch(url, { method: 'POST', body: form });
  return { status: response.status, body: await response.text() };
}

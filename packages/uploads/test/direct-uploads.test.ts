// @zigznote/uploads' server side against the real MinIO (MINIO_* from the test command), on a bucket of
// its own: what storage itself accepts and refuses through the policies and part URLs the package signs,
// and what completion finds.
import { randomBytes } from 'node:crypto';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDirectUploads,
  createPartSigner,
  MissingBucketError,
  partLength,
  UploadInputError,
  type MultipartUpload,
  type PostUpload,
} from '../src/index.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`the uploads package tests need a real MinIO: set ${name} (npm test does)`);
  return value;
};
const credentials = { accessKey: env('MINIO_ACCESS_KEY'), secretKey: env('MINIO_SECRET_KEY') };
const client = new Client({
  endPoint: env('MINIO_ENDPOINT'),
  port: Number(env('MINIO_PORT')),
  useSSL: false,
  ...credentials,
  region: 'us-east-1',
});
const partSigner = createPartSigner({
  publicUrl: env('MINIO_PUBLIC_URL'),
  accessKeyId: credentials.accessKey,
  secretAccessKey: credentials.secretKey,
});
const MIB = 1024 * 1024;
const uploads = createDirectUploads({ client, partSigner, multipartThreshold: 6 * MIB, minPartSize: 5 * MIB });
const bucket = `pkg-uploads-${process.pid}-${Date.now().toString(36)}`;
let counter = 0;
const keyFor = (name: string) => `test/${counter++}/${name}`;
/** What the app keeps of a started multipart upload (a WAV file here), to sign and complete it later. */
const multipartRecord = (key: string, size: number, upload: MultipartUpload) => ({
  bucket,
  key,
  contentType: 'audio/wav',
  size,
  multipartId: upload.multipartId,
  partSize: upload.partSize,
  partCount: upload.partCount,
});

beforeAll(async () => {
  await client.makeBucket(bucket, 'us-east-1');
});

afterAll(async () => {
  const keys: string[] = [];
  for await (const item of client.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
  await client.removeObjects(bucket, keys);
  for (const incomplete of await collect(client.listIncompleteUploads(bucket, '', true)))
    await client.abortMultipartUpload(bucket, incomplete.key, incomplete.uploadId).catch(() => {});
  await client.removeBucket(bucket);
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** A browser's form POST of `body` with the policy's fields, its Content-Type field set to `contentType`. */
async function post(upload: PostUpload, body: Uint8Array, contentType: string): Promise<string> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...upload.fields, 'Content-Type': contentType }))
    form.append(name, value);
  form.append('file', new Blob([new Uint8Array(body)], { type: contentType }));
  const answer = await fetch(upload.url, { method: 'POST', body: form });
  return `${answer.status} ${/<Code>([^<]*)<\/Code>/.exec(await answer.text())?.[1] ?? ''}`.trim();
}

describe('used wrongly, it says so in words', () => {
  it('at construction and on bad input', async () => {
    expect(() => createDirectUploads({ partSigner } as never)).toThrow(/needs \{ client \}: a minio-js Client/);
    expect(() => createDirectUploads({ client } as never)).toThrow(/needs \{ partSigner \}/);
    expect(() => createDirectUploads({ client, partSigner, minPartSize: MIB })).toThrow(
      /minPartSize must be at least 5 MiB/,
    );
    expect(() => createPartSigner({ publicUrl: 'not a url', accessKeyId: 'a', secretAccessKey: 'b' })).toThrow(
      /publicUrl, the storage origin/,
    );
    await expect(uploads.start({ bucket, key: keyFor('x'), contentType: 'text/plain', size: 0 })).rejects.toThrow(
      /size must be a whole number of bytes, at least 1/,
    );
  });

  it('a bucket that does not exist is named, with how to make it, not a raw S3 error', async () => {
    const missing = `${bucket}-missing`;
    const large = uploads.start({ bucket: missing, key: keyFor('x.wav'), contentType: 'audio/wav', size: 7 * MIB });
    await expect(large).rejects.toBeInstanceOf(MissingBucketError);
    await expect(large).rejects.toThrow(
      `The bucket "${missing}" does not exist on the storage server: create it first`,
    );
    await expect(
      uploads.complete({ bucket: missing, key: 'a.txt', contentType: 'text/plain', size: 5 }),
    ).rejects.toBeInstanceOf(MissingBucketError);
  });
});

describe('a small file: one POST policy', () => {
  it('storage takes the declared type up to the declared size, and refuses another type or a larger body', async () => {
    const key = keyFor('note.txt');
    const upload = (await uploads.start({ bucket, key, contentType: 'text/plain', size: 100 })) as PostUpload;
    expect(upload.method).toBe('POST');
    expect(await post(upload, randomBytes(101), 'text/plain')).toBe('400 EntityTooLarge');
    expect(await post(upload, randomBytes(50), 'text/html')).toBe('403 AccessDenied');
    expect(await post(upload, randomBytes(80), 'text/plain')).toBe('204');

    const moved = `${key}.stored`;
    const done = await uploads.complete({ bucket, key, contentType: 'text/plain', size: 100 }, undefined, {
      moveTo: moved,
    });
    expect(done).toEqual({ ok: true, key: moved, size: 80, movedFrom: key });
    expect((await client.statObject(bucket, moved)).size).toBe(80);
  });

  it('completion before the bytes arrive says so and changes nothing', async () => {
    const key = keyFor('early.txt');
    await uploads.start({ bucket, key, contentType: 'text/plain', size: 10 });
    expect(await uploads.complete({ bucket, key, contentType: 'text/plain', size: 10 })).toMatchObject({
      ok: false,
      reason: 'not-uploaded',
    });
  });

  it('an object that does not match the declaration is removed, and the answer says why', async () => {
    const key = keyFor('swapped.txt');
    await client.putObject(bucket, key, Buffer.from('<b>not text</b>'), undefined, { 'Content-Type': 'text/html' });
    expect(await uploads.complete({ bucket, key, contentType: 'text/plain', size: 100 })).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    await expect(client.statObject(bucket, key)).rejects.toMatchObject({ code: 'NotFound' });
  });
});

describe('a large file: parts signed with their exact size', () => {
  const size = 11 * MIB;

  it(
    'storage refuses a part of another size; the right parts assemble, and completion wants every part',
    { timeout: 60_000 },
    async () => {
      const key = keyFor('long.wav');
      const upload = (await uploads.start({ bucket, key, contentType: 'audio/wav', size })) as MultipartUpload;
      expect(upload).toMatchObject({ method: 'MULTIPART', partSize: 5 * MIB, partCount: 3 });
      expect(upload.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
      const record = multipartRecord(key, size, upload);
      const bytes = randomBytes(size);
      const part = (n: number) =>
        bytes.subarray((n - 1) * upload.partSize, (n - 1) * upload.partSize + partLength(size, upload.partSize, n));

      expect((await fetch(upload.parts[0]!.url, { method: 'PUT', body: part(1).subarray(0, 1024) })).status).toBe(403);
      const etags: Array<{ partNumber: number; etag: string }> = [];
      for (const n of [1, 2]) {
        const answer = await fetch(upload.parts[n - 1]!.url, { method: 'PUT', body: part(n) });
        expect(answer.status).toBe(200);
        etags.push({ partNumber: n, etag: answer.headers.get('etag')! });
      }
      expect((await uploads.uploadedParts(record)).map((p) => p.partNumber)).toEqual([1, 2]);
      expect(await uploads.complete(record, etags)).toMatchObject({ ok: false, reason: 'parts' });

      const [resigned] = await uploads.signParts(record, [3]);
      const last = await fetch(resigned!.url, { method: 'PUT', body: part(3) });
      expect(last.status).toBe(200);
      etags.push({ partNumber: 3, etag: last.headers.get('etag')! });
      expect(await uploads.complete(record, etags)).toEqual({ ok: true, key, size, movedFrom: undefined });
      const stored = await collect(await client.getObject(bucket, key));
      expect(Buffer.concat(stored as Buffer[]).equals(bytes)).toBe(true);
    },
  );

  it('signs no part outside the upload, nor too many at once', async () => {
    const key = keyFor('bounds.wav');
    const upload = (await uploads.start({ bucket, key, contentType: 'audio/wav', size })) as MultipartUpload;
    const record = multipartRecord(key, size, upload);
    await expect(uploads.signParts(record, [4])).rejects.toThrow(
      new UploadInputError('This upload has parts 1 to 3; there is no part 4.'),
    );
    await expect(uploads.signParts(record, [])).rejects.toThrow(/Ask for 1 to 64 parts at a time/);
    await uploads.abort(record);
    expect((await fetch(upload.parts[0]!.url, { method: 'PUT', body: new Uint8Array(5 * MIB) })).status).toBe(404);
  });
});

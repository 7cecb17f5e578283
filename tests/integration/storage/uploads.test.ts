import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { files, uploads } from '@/lib/db';
import { closeDatabase } from '@/lib/db';
import { loadConfig } from '@/lib/config';
import {
  bucketNames,
  completeUpload,
  createSigningClient,
  ensureBuckets,
  deleteOwnedFile,
  downloadLink,
  listFiles,
  requestUpload,
  sweepStaleUploads,
  type BucketName,
  type StorageDeps,
} from '@/lib/storage';
import type { MultipartUpload, PostUpload } from '@zigznote/uploads';
import { expectRefused, makeUser, postToStorage, storageBackendName, storageDeps } from '../../support/storage';
import { storageBackend } from '@/lib/storage/backends';
import { putBucketCors } from '@/lib/storage/bucket-cors';

let deps: StorageDeps;
let owner: string;
let stranger: string;

beforeAll(async () => {
  deps = await storageDeps();
  owner = await makeUser(deps);
  stranger = await makeUser(deps);
});

afterAll(async () => {
  await closeDatabase();
});

async function expectNoObject(key: string) {
  await expect(deps.operations.statObject(deps.buckets.audio, key)).rejects.toMatchObject({ code: 'NotFound' });
}

/** What the app answers a browser asking to upload this file to this bucket. */
function askFor(bucket: BucketName, filename: string, contentType: string, size: number) {
  return requestUpload(deps, owner, { bucket, filename, contentType, size });
}

async function presignPost(size: number, contentType = 'audio/mpeg') {
  const result = await requestUpload(deps, owner, { bucket: 'audio', filename: 'song.mp3', contentType, size });
  if (!result.ok) throw new Error(result.error);
  return { uploadId: result.uploadId, upload: result.upload as PostUpload };
}

describe('presigned POST policies, enforced by the storage server', () => {
  it('point at the public storage URL, with the exact key, type and size range, expiring in minutes', async () => {
    const { upload } = await presignPost(1_000);
    expect(upload.method).toBe('POST');
    expect(upload.url.startsWith(loadConfig(process.env).storage.publicUrl)).toBe(true);
    expect(upload.fields.key).toMatch(new RegExp(`^users/${owner}/[0-9a-f-]{36}/song\\.mp3$`));
    const policy = JSON.parse(Buffer.from(upload.fields.policy!, 'base64').toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['eq', '$key', upload.fields.key],
        ['eq', '$Content-Type', 'audio/mpeg'],
        ['content-length-range', 1, 1_000],
      ]),
    );
    // 2 minutes from now, on both sides: the browser starts sending at once, and the policy cannot be revoked
    const left = new Date(policy.expiration).getTime() - Date.now();
    expect(left).toBeLessThanOrEqual(2 * 60 * 1000);
    expect(left).toBeGreaterThan(110 * 1000);
  });

  it('accept the declared file', async () => {
    const { upload, uploadId } = await presignPost(1_000);
    const response = await postToStorage(upload.url, upload.fields, randomBytes(1_000), 'audio/mpeg');
    expect(response.status).toBe(204);
    const completed = await completeUpload(deps, owner, uploadId);
    expect(completed).toMatchObject({
      ok: true,
      file: { name: 'song.mp3', size: 1_000, contentType: 'audio/mpeg', bucket: 'audio' },
    });
  });

  it('reject a file larger than declared', async () => {
    const { upload } = await presignPost(1_000);
    const response = await postToStorage(upload.url, upload.fields, randomBytes(1_001), 'audio/mpeg');
    expectRefused(response, 'too-large');
    await expectNoObject(upload.fields.key!);
  });

  // A hostile browser changes one thing in what it posts; storage must refuse it and store nothing.
  const tampered: Array<{
    what: string;
    fields: (fields: Record<string, string>) => Record<string, string>;
    contentType: string;
    refusal: 'policy' | 'signature';
    key: (fields: Record<string, string>) => string;
  }> = [
    {
      what: 'a different content type',
      fields: (fields) => ({ ...fields, 'Content-Type': 'text/html' }),
      contentType: 'text/html',
      refusal: 'policy',
      key: (fields) => fields.key!,
    },
    {
      what: 'a different key',
      fields: (fields) => ({ ...fields, key: `users/${stranger}/mine.mp3` }),
      contentType: 'audio/mpeg',
      refusal: 'policy',
      key: () => `users/${stranger}/mine.mp3`,
    },
    {
      what: 'a tampered signature',
      fields: (fields) => {
        const signature = fields['x-amz-signature']!;
        return { ...fields, 'x-amz-signature': `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}` };
      },
      contentType: 'audio/mpeg',
      refusal: 'signature',
      key: (fields) => fields.key!,
    },
  ];
  for (const change of tampered) {
    it(`reject ${change.what}`, async () => {
      const { upload } = await presignPost(1_000);
      const response = await postToStorage(
        upload.url,
        change.fields(upload.fields),
        randomBytes(100),
        change.contentType,
      );
      expectRefused(response, change.refusal);
      await expectNoObject(change.key(upload.fields));
    });
  }

  it('reject an expired policy', async () => {
    const signer = createSigningClient(loadConfig(process.env).storage);
    const policy = signer.newPostPolicy();
    policy.setBucket(deps.buckets.audio);
    policy.setKey(`users/${owner}/expired.mp3`);
    policy.setContentType('audio/mpeg');
    policy.setContentLengthRange(1, 1_000);
    policy.setExpires(new Date(Date.now() - 60_000));
    const { postURL, formData } = await signer.presignedPostPolicy(policy);
    const response = await postToStorage(postURL, formData, randomBytes(100), 'audio/mpeg');
    expectRefused(response, 'expired');
    await expectNoObject(`users/${owner}/expired.mp3`);
  });

  it('are refused up front for a type or size the bucket does not take', async () => {
    expect(await askFor('avatars', 'x.svg', 'image/svg+xml', 10)).toMatchObject({ ok: false, status: 415 });
    expect(await askFor('avatars', 'x.png', 'image/png', 6 * 1024 * 1024)).toMatchObject({ ok: false, status: 413 });
    expect(await askFor('backups', 'x.tar', 'application/x-tar', 10)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('completing an upload', () => {
  it('refuses an upload that never happened', async () => {
    const { uploadId } = await presignPost(500);
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({ ok: false, status: 409 });
  });

  it('refuses, and removes, an object that differs from what was declared', async () => {
    const { uploadId, upload } = await presignPost(500);
    await deps.operations.putObject(deps.buckets.audio, upload.fields.key!, randomBytes(400), 400, {
      'Content-Type': 'text/html',
    });
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({ ok: false, status: 422 });
    await expect(deps.operations.statObject(deps.buckets.audio, upload.fields.key!)).rejects.toThrow();
  });

  it('belongs to the uploader only', async () => {
    const { uploadId, upload } = await presignPost(300);
    await postToStorage(upload.url, upload.fields, randomBytes(300), 'audio/mpeg');
    expect(await completeUpload(deps, stranger, uploadId)).toMatchObject({ ok: false, status: 404 });
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({ ok: true });
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({
      ok: false,
      status: 409,
      error: 'This upload was already completed.',
    });
  });
});

describe('multipart uploads for large files', () => {
  const size = 100 * 1024 * 1024;

  async function presignMultipart(bytes = size) {
    const result = await requestUpload(deps, owner, {
      bucket: 'audio',
      filename: 'long-recording.wav',
      contentType: 'audio/wav',
      size: bytes,
    });
    if (!result.ok) throw new Error(result.error);
    return { uploadId: result.uploadId, upload: result.upload as MultipartUpload };
  }

  async function putParts(upload: MultipartUpload, data: Buffer) {
    const parts: Array<{ partNumber: number; etag: string }> = [];
    for (const { partNumber, url } of upload.parts) {
      const chunk = data.subarray((partNumber - 1) * upload.partSize, partNumber * upload.partSize);
      const response = await fetch(url, { method: 'PUT', body: new Uint8Array(chunk) });
      expect(response.status).toBe(200);
      parts.push({ partNumber, etag: response.headers.get('etag')! });
    }
    return parts;
  }

  it('uploads a 100 MB file in presigned parts and completes it on the server', async () => {
    const { uploadId, upload } = await presignMultipart();
    expect(upload.method).toBe('MULTIPART');
    expect(upload.parts.length).toBe(Math.ceil(size / upload.partSize));
    expect(upload.parts[0]!.url.startsWith(loadConfig(process.env).storage.publicUrl)).toBe(true);
    const data = randomBytes(size);
    const parts = await putParts(upload, data);
    const completed = await completeUpload(deps, owner, uploadId, parts);
    expect(completed).toMatchObject({ ok: true, file: { size, contentType: 'audio/wav' } });
    if (!completed.ok) throw new Error(completed.error);
    const [record] = await deps.db.select().from(files).where(eq(files.id, completed.file.id));
    const stored = await deps.operations.getObject(record!.bucket, record!.objectKey);
    const hash = createHash('sha256');
    for await (const chunk of stored) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  }, 120_000);

  it('refuses a part list beyond the parts it presigned, or missing one, with real ETags, and can still complete', async () => {
    const size = 70 * 1024 * 1024;
    const { uploadId, upload } = await presignMultipart(size);
    const parts = await putParts(upload, randomBytes(size));
    const count = upload.parts.length;
    // the refusal is the part-count check's own, not storage refusing a made-up ETag
    const refusal = {
      ok: false,
      status: 422,
      error: `This upload has ${count} parts; send each part number from 1 to ${count} once, with its ETag.`,
    };
    expect(
      await completeUpload(deps, owner, uploadId, [...parts, { partNumber: count + 1, etag: parts[0]!.etag }]),
    ).toEqual(refusal);
    expect(await completeUpload(deps, owner, uploadId, parts.slice(1))).toEqual(refusal);
    expect(await completeUpload(deps, owner, uploadId, [...parts.slice(0, -1), parts[0]!])).toEqual(refusal);
    // the refusals changed nothing: the right list completes it
    expect(await completeUpload(deps, owner, uploadId, parts)).toMatchObject({ ok: true, file: { size } });
  }, 120_000);

  it('refuses a file over the bucket limit before any part is signed', async () => {
    expect(await askFor('audio', 'huge.wav', 'audio/wav', 3 * 1024 ** 3)).toMatchObject({ ok: false, status: 413 });
  });
});

describe('downloads', () => {
  async function storedFile(name: string, contentType: string, body: string) {
    const key = `users/${owner}/${randomBytes(8).toString('hex')}/${name}`;
    await deps.operations.putObject(deps.buckets.exports, key, Buffer.from(body), undefined, {
      'Content-Type': contentType,
    });
    const [file] = await deps.db
      .insert(files)
      .values({ ownerId: owner, bucket: deps.buckets.exports, objectKey: key, name, size: body.length, contentType })
      .returning();
    return file!;
  }

  for (const [name, type, body] of [
    ['page.html', 'text/html', '<script>alert(document.domain)</script>'],
    ['drawing.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
  ] as const) {
    it(`serves ${name} as an attachment, never rendered`, async () => {
      const file = await storedFile(name, type, body);
      const link = await downloadLink(deps, owner, file.id);
      if (!link.ok) throw new Error(link.error);
      const response = await fetch(link.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toMatch(
        new RegExp(`^attachment; filename="${name.replace('.', '\\.')}"`),
      );
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(await response.text()).toBe(body);
    });
  }

  it("gives 404 for another user's file, and never lists it", async () => {
    const file = await storedFile('private.txt', 'text/plain', 'secret');
    expect(await downloadLink(deps, stranger, file.id)).toMatchObject({ ok: false, status: 404 });
    expect(await deleteOwnedFile(deps, stranger, file.id)).toMatchObject({ ok: false, status: 404 });
    expect((await listFiles(deps, stranger)).map((f) => f.id)).not.toContain(file.id);
    expect((await listFiles(deps, owner)).map((f) => f.id)).toContain(file.id);
  });

  it('deletes object and record together', async () => {
    const file = await storedFile('gone.txt', 'text/plain', 'bye');
    expect(await deleteOwnedFile(deps, owner, file.id)).toEqual({ ok: true });
    await expect(deps.operations.statObject(file.bucket, file.objectKey)).rejects.toThrow();
    expect(await downloadLink(deps, owner, file.id)).toMatchObject({ ok: false, status: 404 });
  });
});

describe('abandoned uploads', () => {
  it('are swept: object and record removed once expired', async () => {
    const { upload, uploadId } = await presignPost(200);
    await postToStorage(upload.url, upload.fields, randomBytes(200), 'audio/mpeg');
    // an hour later: expired at the first sweep, forgotten at a later one once no URL of it can be used
    await sweepStaleUploads(deps, new Date(Date.now() + 60 * 60 * 1000));
    await expect(deps.operations.statObject(deps.buckets.audio, upload.fields.key!)).rejects.toThrow();
    await sweepStaleUploads(deps, new Date(Date.now() + 2 * 60 * 60 * 1000));
    expect(await deps.db.select().from(uploads).where(eq(uploads.id, uploadId))).toHaveLength(0);
  });
});

// MinIO: the app makes its buckets. Garage: its init step does (with global aliases), the app sets their CORS.
if (storageBackendName() === 'minio') {
  describe('bucket creation at start-up', () => {
    it('succeeds in two processes starting at once', async () => {
      const prefix = `race-${Date.now().toString(36)}`;
      const root = resolve('.');
      const script = join(mkdtempSync(join(tmpdir(), 'zz-buckets-')), 'init.mts');
      writeFileSync(
        script,
        `
        import { ensureBuckets } from '${root}/lib/storage/buckets.ts';
        import { bucketNames } from '${root}/lib/storage/bucket-table.ts';
        import { createOperationsClient } from '${root}/lib/storage/clients.ts';
        import { loadConfig } from '${root}/lib/config.ts';
        const config = loadConfig(process.env);
        const status = await ensureBuckets(createOperationsClient(config.storage), bucketNames('${prefix}'), config.storage.region, { attempts: 1 });
        console.log(JSON.stringify(status));
        process.exit(status.ready ? 0 : 1);
      `,
      );
      const run = () =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn('node_modules/.bin/tsx', [script], {
            env: process.env,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          child.on('exit', (code) => resolve({ code, out }));
        });
      const [a, b] = await Promise.all([run(), run()]);
      expect(a.code, a.out).toBe(0);
      expect(b.code, b.out).toBe(0);
      for (const name of Object.values({ a: `${prefix}-audio`, b: `${prefix}-backups` }))
        expect(await deps.operations.bucketExists(name)).toBe(true);
    }, 60_000);

    it('takes "already yours" from MinIO as success: another instance made the bucket between the look and the make', async () => {
      const names = bucketNames(`lost-race-${Date.now().toString(36)}`);
      // The other instance wins every bucket…
      const region = loadConfig(process.env).storage.region;
      for (const name of Object.values(names)) await deps.operations.makeBucket(name, region);
      await expect(deps.operations.makeBucket(names.audio, region)).rejects.toMatchObject({
        code: 'BucketAlreadyOwnedByYou',
      });
      // …after this one looked and saw none: its makeBucket meets MinIO's real refusal every time.
      const lateLooker = Object.create(deps.operations) as typeof deps.operations;
      lateLooker.bucketExists = async () => false;
      const status = await ensureBuckets(lateLooker, names, region, { attempts: 1 });
      expect(status).toMatchObject({ ready: true, buckets: Object.values(names) });
    });
  });
} else {
  describe("buckets made by Garage's init step", () => {
    it('reports a missing bucket with the step that makes it, and cannot make one itself', async () => {
      const names = bucketNames(`missing-${Date.now().toString(36)}`);
      const region = loadConfig(process.env).storage.region;
      const hint = storageBackend('garage').buckets;
      const status = await ensureBuckets(deps.operations, names, region, {
        attempts: 1,
        missingHint: hint.madeBy === 'init' ? hint.hint : undefined,
      });
      expect(status).toMatchObject({
        ready: false,
        error: expect.stringMatching(new RegExp(`bucket ${names.audio} does not exist: run the garage-init step`)),
      });
      await expect(deps.operations.makeBucket(names.audio, region)).rejects.toMatchObject({ code: 'AccessDenied' });
    });

    it("lets the app's origin, and no other, post to the browser buckets once the app wrote their CORS rules", async () => {
      const config = loadConfig(process.env).storage;
      const appOrigin = 'http://127.0.0.1:3999';
      const status = await ensureBuckets(deps.operations, deps.buckets, config.region, {
        attempts: 1,
        configureBrowserBucket: (bucket) => putBucketCors(config, bucket, [appOrigin]),
      });
      expect(status.ready).toBe(true);
      const preflight = (bucket: string, origin: string) =>
        fetch(`${config.publicUrl}/${bucket}/users/x/file.bin`, {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
        });
      for (const bucket of [deps.buckets.audio, deps.buckets.avatars]) {
        const allowed = await preflight(bucket, appOrigin);
        expect(allowed.status).toBe(200);
        expect(allowed.headers.get('access-control-allow-origin')).toBe(appOrigin);
        // a preflight that is not 2xx fails in the browser, whatever headers come with it
        expect((await preflight(bucket, 'https://elsewhere.example')).status).toBe(403);
      }
    });
  });
}

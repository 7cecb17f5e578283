import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, files, uploads } from '@/lib/db';
import {
  abortUpload,
  completeUpload,
  requestUpload,
  resumeUpload,
  signUploadParts,
  storageUsage,
  sweepStaleUploads,
  sweepUnclaimedObjects,
  type StorageDeps,
} from '@/lib/storage';
import { partLength, type MultipartUpload, type PostUpload } from '@zigznote/uploads';
import { expectRefused, makeUser, postToStorage, sendToStorage, storageDeps } from '../../support/storage';

let deps: StorageDeps;

beforeAll(async () => {
  deps = await storageDeps();
});

afterAll(async () => {
  await closeDatabase();
});

async function postUpload(owner: string, size: number, over: Partial<StorageDeps> = {}) {
  const result = await requestUpload({ ...deps, ...over }, owner, {
    bucket: 'audio',
    filename: 'note.mp3',
    contentType: 'audio/mpeg',
    size,
  });
  if (!result.ok) throw new Error(result.error);
  return { uploadId: result.uploadId, upload: result.upload as PostUpload };
}

const exists = (bucket: string, key: string) =>
  deps.operations.statObject(bucket, key).then(
    () => true,
    () => false,
  );

/** Bytes storage holds under the user's prefix, in the audio bucket, as listed by storage itself. */
async function bytesStoredFor(owner: string): Promise<number> {
  let total = 0;
  for await (const item of deps.operations.listObjectsV2(deps.buckets.audio, `users/${owner}/`, true) as AsyncIterable<{
    size?: number;
  }>) {
    total += item.size ?? 0;
  }
  return total;
}

describe('what was completed is what is stored and counted', () => {
  it('a POST policy used again after completion cannot replace the file, and usage counts what storage holds until the sweep empties it', async () => {
    const owner = await makeUser(deps);
    const quota = { ...deps, quotaBytes: 10_000 };
    const { uploadId, upload } = await postUpload(owner, 9_000, quota);
    expect((await postToStorage(upload.url, upload.fields, Buffer.from('x'), 'audio/mpeg')).status).toBe(204);
    const completed = await completeUpload(quota, owner, uploadId);
    expect(completed).toMatchObject({ ok: true, file: { size: 1 } });
    expect(await bytesStoredFor(owner)).toBe(1);

    // the same fields again, now with the whole declared size: storage accepts it (a policy cannot be revoked)…
    expect((await postToStorage(upload.url, upload.fields, randomBytes(9_000), 'audio/mpeg')).status).toBe(204);
    // …but not as the file: the completed file lives under a key no policy names
    const [file] = await deps.db.select().from(files).where(eq(files.ownerId, owner));
    expect(file!.objectKey).not.toBe(upload.fields.key);
    expect((await deps.operations.statObject(file!.bucket, file!.objectKey)).size).toBe(1);
    // and what it stored is counted: usage equals the bytes in the bucket, and no room is left for another round
    expect((await storageUsage(deps, owner, 10_000)).usedBytes).toBe(await bytesStoredFor(owner));
    expect(
      await requestUpload(quota, owner, {
        bucket: 'audio',
        filename: 'again.mp3',
        contentType: 'audio/mpeg',
        size: 9_000,
      }),
    ).toMatchObject({
      ok: false,
      status: 413,
    });

    // once the policy has expired, the sweep removes the re-post, and usage and storage agree at 1 byte
    await sweepStaleUploads(deps, new Date(Date.now() + 3 * 60_000));
    expect(await bytesStoredFor(owner)).toBe(1);
    expect((await storageUsage(deps, owner, 10_000)).usedBytes).toBe(1);
    expect(await exists(deps.buckets.audio, upload.fields.key!)).toBe(false);
  });
});

describe('quota per user', () => {
  it('counts completed files and pending uploads, and refuses what does not fit with how much is left', async () => {
    const owner = await makeUser(deps);
    const small = { ...deps, quotaBytes: 5_000 };
    const { uploadId, upload } = await postUpload(owner, 3_000, small);
    await postToStorage(upload.url, upload.fields, randomBytes(3_000), 'audio/mpeg');
    expect(await completeUpload(small, owner, uploadId)).toMatchObject({ ok: true });
    // usage is what is stored; room for more still counts the live policy's declared size (a re-post could store it)
    expect(await storageUsage(deps, owner, 5_000)).toEqual({ usedBytes: 3_000, quotaBytes: 5_000 });
    const askForMore = (size: number) =>
      requestUpload(small, owner, { bucket: 'audio', filename: 'more.mp3', contentType: 'audio/mpeg', size });
    const held = await askForMore(1_500);
    expect(held).toMatchObject({ ok: false, extra: { remainingBytes: 0 } });
    expect(held.ok ? '' : held.error).toContain('2.9 KB of it is held for up to 2 minutes after your last uploads.');
    await sweepStaleUploads(deps, new Date(Date.now() + 3 * 60_000));
    await postUpload(owner, 1_500, small); // pending: counted at its declared size
    expect(await storageUsage(deps, owner, 5_000)).toEqual({ usedBytes: 4_500, quotaBytes: 5_000 });
    const refused = await askForMore(600);
    expect(refused).toMatchObject({ ok: false, status: 413, extra: { remainingBytes: 500, quotaBytes: 5_000 } });
    expect(refused.ok ? '' : refused.error).toBe(
      'This file needs 0.6 KB but only 0.5 KB of your 4.9 KB is left. Delete files to make room.',
    );
    // nothing was stored or recorded for the refused request
    expect(await deps.db.select().from(uploads).where(eq(uploads.ownerId, owner))).toHaveLength(2);
  });

  it('lets exactly as many of 10 concurrent requests through as fit', async () => {
    const owner = await makeUser(deps);
    const small = { ...deps, quotaBytes: 5_000 };
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        requestUpload(small, owner, { bucket: 'audio', filename: 'n.mp3', contentType: 'audio/mpeg', size: 1_000 }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.status === 413)).toHaveLength(5);
  });
});

describe('multipart parts the storage server enforces', () => {
  it('the server refuses a part of any size but the one its URL was signed for', async () => {
    const owner = await makeUser(deps);
    const size = 70 * 1024 * 1024;
    const result = await requestUpload(deps, owner, {
      bucket: 'audio',
      filename: 'long.wav',
      contentType: 'audio/wav',
      size,
    });
    if (!result.ok) throw new Error(result.error);
    const upload = result.upload as MultipartUpload;
    const first = upload.parts[0]!;
    const last = upload.parts.at(-1)!;
    expect(new URL(first.url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    // 5 MB more than the part may hold: refused by the server itself
    expectRefused(
      await sendToStorage('PUT', first.url, new Uint8Array(upload.partSize + 5 * 1024 * 1024)),
      'signature',
    );
    expectRefused(await sendToStorage('PUT', first.url, new Uint8Array(upload.partSize - 1)), 'signature');
    expect((await sendToStorage('PUT', first.url, new Uint8Array(upload.partSize))).status).toBe(200);
    // the last part is signed for what is left of the file, not a whole part
    const lastLength = partLength(size, upload.partSize, last.partNumber);
    expect(lastLength).toBe(size - (upload.parts.length - 1) * upload.partSize);
    expectRefused(await sendToStorage('PUT', last.url, new Uint8Array(upload.partSize)), 'signature');
    expect((await sendToStorage('PUT', last.url, new Uint8Array(lastLength))).status).toBe(200);
    expect(await abortUpload(deps, owner, result.uploadId)).toEqual({ ok: true });
  }, 60_000);
});

describe('abort and expiry revoke', () => {
  it('an aborted upload cannot be completed, and what its still-valid policy stores is removed when the policy expires', async () => {
    const owner = await makeUser(deps);
    const { uploadId, upload } = await postUpload(owner, 400);
    expect(await abortUpload(deps, owner, uploadId)).toEqual({ ok: true });
    // the policy is still signed and valid: MinIO accepts the upload…
    expect((await postToStorage(upload.url, upload.fields, randomBytes(400), 'audio/mpeg')).status).toBe(204);
    // …but the app never records it,
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({ ok: false, status: 410 });
    expect(await abortUpload(deps, owner, uploadId)).toMatchObject({ ok: false, status: 410 });
    const [row] = await deps.db.select().from(uploads).where(eq(uploads.id, uploadId));
    expect(row).toMatchObject({ state: 'aborted' });
    // …and once no URL of it can be used any more, the sweep removes the object and the row.
    await sweepStaleUploads(deps, new Date(row!.urlsValidUntil!.getTime() + 1_000));
    expect(await exists(deps.buckets.audio, upload.fields.key!)).toBe(false);
    expect(await deps.db.select().from(uploads).where(eq(uploads.id, uploadId))).toHaveLength(0);
  });

  it('an expired upload is refused at completion and swept', async () => {
    const owner = await makeUser(deps);
    const { uploadId, upload } = await postUpload(owner, 300);
    await postToStorage(upload.url, upload.fields, randomBytes(300), 'audio/mpeg');
    await deps.db
      .update(uploads)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(uploads.id, uploadId));
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({
      ok: false,
      status: 410,
      error: expect.stringContaining('expired'),
    });
    await sweepStaleUploads(deps);
    expect(await exists(deps.buckets.audio, upload.fields.key!)).toBe(false);
    expect((await deps.db.select().from(uploads).where(eq(uploads.id, uploadId)))[0]).toMatchObject({
      state: 'expired',
    });
  });

  it("completing someone else's upload is a 404 that changes nothing", async () => {
    const owner = await makeUser(deps);
    const stranger = await makeUser(deps);
    const { uploadId, upload } = await postUpload(owner, 200);
    await postToStorage(upload.url, upload.fields, randomBytes(200), 'audio/mpeg');
    expect(await completeUpload(deps, stranger, uploadId)).toMatchObject({ ok: false, status: 404 });
    expect(await abortUpload(deps, stranger, uploadId)).toMatchObject({ ok: false, status: 404 });
    expect((await deps.db.select().from(uploads).where(eq(uploads.id, uploadId)))[0]).toMatchObject({
      state: 'pending',
    });
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({ ok: true });
  });
});

describe('completion against the expiry sweep', () => {
  it('never both win: 20 races leave either a file with its object, or neither', async () => {
    const owner = await makeUser(deps);
    const outcomes = { completed: 0, swept: 0 };
    for (let round = 0; round < 20; round++) {
      const { uploadId, upload } = await postUpload(owner, 100);
      await postToStorage(upload.url, upload.fields, randomBytes(100), 'audio/mpeg');
      // expiring right now: which of the two gets there first is up to the scheduler
      await deps.db
        .update(uploads)
        .set({ expiresAt: new Date(Date.now() + 15) })
        .where(eq(uploads.id, uploadId));
      await new Promise((resolve) => setTimeout(resolve, 10));
      const filesBefore = await deps.db.select().from(files).where(eq(files.ownerId, owner));
      const [completed] = await Promise.all([
        completeUpload(deps, owner, uploadId),
        sweepStaleUploads(deps, new Date(Date.now() + 10)),
      ]);
      const fileRows = (await deps.db.select().from(files).where(eq(files.ownerId, owner))).filter(
        (f) => !filesBefore.some((b) => b.id === f.id),
      );
      // either way nothing is left under the upload's own key: a completed file moved to a key of its own
      expect(await exists(deps.buckets.audio, upload.fields.key!)).toBe(false);
      if (completed.ok) {
        outcomes.completed++;
        expect(fileRows).toHaveLength(1);
        expect(await exists(deps.buckets.audio, fileRows[0]!.objectKey)).toBe(true);
      } else {
        outcomes.swept++;
        expect(fileRows).toHaveLength(0);
      }
    }
    expect(outcomes.completed + outcomes.swept).toBe(20);
  }, 60_000);
});

describe('the backstop sweep', () => {
  it('removes an old object under a user prefix that no row claims, and keeps claimed ones', async () => {
    const owner = await makeUser(deps);
    const orphan = `users/${owner}/${randomUUID()}/orphan.mp3`;
    await deps.operations.putObject(deps.buckets.audio, orphan, Buffer.from('left behind'));
    const { uploadId, upload } = await postUpload(owner, 100);
    await postToStorage(upload.url, upload.fields, randomBytes(100), 'audio/mpeg');
    expect(await completeUpload(deps, owner, uploadId)).toMatchObject({ ok: true });
    const [file] = await deps.db.select().from(files).where(eq(files.ownerId, owner));
    // as if an hour had passed: older than any URL lives
    await sweepUnclaimedObjects(deps, { now: new Date(Date.now() + 3600_000) });
    expect(await exists(deps.buckets.audio, orphan)).toBe(false);
    expect(await exists(deps.buckets.audio, file!.objectKey)).toBe(true);
  });
});

describe('resumable multipart uploads', () => {
  const size = 70 * 1024 * 1024;
  const fingerprint = `long.wav|${size}|1795000000000`;

  async function multipart(owner: string) {
    const result = await requestUpload(deps, owner, {
      bucket: 'audio',
      filename: 'long.wav',
      contentType: 'audio/wav',
      size,
      fingerprint,
    });
    if (!result.ok) throw new Error(result.error);
    return { uploadId: result.uploadId, upload: result.upload as MultipartUpload };
  }

  it('signs more parts as the upload proceeds, extending its life up to a cap', async () => {
    const owner = await makeUser(deps);
    const { uploadId, upload } = await multipart(owner);
    expect(upload.partCount).toBe(Math.ceil(size / upload.partSize));
    await deps.db
      .update(uploads)
      .set({ expiresAt: new Date(Date.now() + 60_000) })
      .where(eq(uploads.id, uploadId));
    const signed = await signUploadParts(deps, owner, uploadId, [upload.partCount]);
    if (!signed.ok) throw new Error(signed.error);
    expect(new Date(signed.expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(
      (
        await fetch(signed.parts[0]!.url, {
          method: 'PUT',
          body: new Uint8Array(partLength(size, upload.partSize, upload.partCount)),
        })
      ).status,
    ).toBe(200);
    // never past 24 hours after the upload started
    await deps.db
      .update(uploads)
      .set({ createdAt: new Date(Date.now() - 24 * 3600_000 + 60_000) })
      .where(eq(uploads.id, uploadId));
    const capped = await signUploadParts(deps, owner, uploadId, [1]);
    if (!capped.ok) throw new Error(capped.error);
    expect(new Date(capped.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 61_000);
    expect(await signUploadParts(deps, owner, uploadId, [upload.partCount + 1])).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(await signUploadParts(deps, await makeUser(deps), uploadId, [1])).toMatchObject({ ok: false, status: 404 });
  }, 60_000);

  it('resumes the same file only, listing the parts storage already holds', async () => {
    const owner = await makeUser(deps);
    const { uploadId, upload } = await multipart(owner);
    const data = randomBytes(size);
    const sent = upload.parts.slice(0, 3);
    for (const { partNumber, url } of sent) {
      const chunk = data.subarray((partNumber - 1) * upload.partSize, partNumber * upload.partSize);
      expect((await fetch(url, { method: 'PUT', body: new Uint8Array(chunk) })).status).toBe(200);
    }
    const state = await resumeUpload(deps, owner, uploadId, fingerprint);
    if (!state.ok) throw new Error(state.error);
    expect(state.uploadedParts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(await resumeUpload(deps, owner, uploadId, `long.wav|${size}|1795000000001`)).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(await resumeUpload(deps, await makeUser(deps), uploadId, fingerprint)).toMatchObject({
      ok: false,
      status: 404,
    });

    // send the rest, complete with the listed parts plus the new ones: the file is whole
    const rest = await signUploadParts(
      deps,
      owner,
      uploadId,
      upload.parts
        .slice(3)
        .map((p) => p.partNumber)
        .concat(Array.from({ length: upload.partCount - upload.parts.length }, (_, i) => upload.parts.length + i + 1)),
    );
    if (!rest.ok) throw new Error(rest.error);
    const parts = [...state.uploadedParts];
    for (const { partNumber, url } of rest.parts) {
      const chunk = data.subarray((partNumber - 1) * upload.partSize, partNumber * upload.partSize);
      const response = await fetch(url, { method: 'PUT', body: new Uint8Array(chunk) });
      parts.push({ partNumber, etag: response.headers.get('etag')! });
    }
    expect(await completeUpload(deps, owner, uploadId, parts)).toMatchObject({ ok: true, file: { size } });
    expect(await resumeUpload(deps, owner, uploadId, fingerprint)).toMatchObject({ ok: false, status: 409 });
  }, 120_000);
});

/**
 * Users' files, from upload request to deletion, as plain functions over injected dependencies. What a
 * user can get wrong comes back as a value with a message; nothing a user sends decides a key, and no user
 * can reach another's upload or file (each lookup is by id and owner). It guarantees:
 * - a user stores at most `quotaBytes` (completed files plus the declared size of pending uploads),
 *   checked under a per-user lock, so concurrent requests cannot overshoot it;
 * - completion and the expiry sweep claim an upload row with one conditional update each, and completion
 *   records the file in the same transaction: they can never both win, and no file row outlives its object;
 * - an aborted, expired or rejected upload keeps its row until every URL signed for it has expired, and
 *   whatever those URLs put in storage meanwhile is removed then; a backstop sweep removes any object
 *   under a user prefix that no row claims.
 * - what was completed is what is stored and counted: a POST policy cannot be revoked, so completion
 *   copies the object to a key no policy names, checks that copy, and records it; until the policy
 *   expires, room for new uploads still counts its declared size (a re-post could store that much again
 *   under the old key), usage reports what such a re-post did store, and the sweep then removes it.
 * The object in MinIO is checked with statObject before a file is recorded. Node-only.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Client } from 'minio';
import { files, uploads, type Database, type StoredFile, type Upload } from '../db';
import { BUCKET_RULES, UPLOAD_BUCKETS, type BucketName } from './bucket-table';
import { createDownloadUrl, DOWNLOAD_TTL_SECONDS } from './downloads';
import { objectKeyFor, sanitizeFilename } from './keys';
import { UploadInputError, type DirectUploads, type MultipartUpload, type PostUpload } from '@zigznote/uploads';
import type { Result } from '../result';
import { POST_POLICY_TTL_SECONDS, UPLOAD_MAX_LIFETIME_SECONDS, UPLOAD_TTL_SECONDS } from './uploads';
import { isUuid } from '../runtime';

export interface StorageDeps {
  db: Database;
  operations: Client;
  signer: Client;
  /** Policies, part URLs and completion checks (createAppUploads). */
  uploads: DirectUploads;
  buckets: Record<BucketName, string>;
  quotaBytes: number;
  /** Told after a user's files or usage changed, so cached listings are dropped (see fileListTag). */
  listingChanged?: (userId: string) => Promise<void>;
}

/** The cache tag of one user's file listing and usage. */
export function fileListTag(userId: string): string {
  return `files:${userId}`;
}

async function announced<T extends { ok: boolean }>(deps: StorageDeps, userId: string, result: T): Promise<T> {
  // A cache that cannot be told loses nothing: the listing's own cache life bounds how long it is stale.
  if (result.ok) await deps.listingChanged?.(userId).catch(() => {});
  return result;
}

export type StorageResult<T extends object> = Result<
  T,
  { status: 400 | 404 | 409 | 410 | 413 | 415 | 422; extra?: Record<string, unknown> }
>;

export interface PublicFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
  bucket: BucketName;
  createdAt: string;
}

export interface StorageUsage {
  usedBytes: number;
  quotaBytes: number;
}

function publicFile(file: StoredFile, buckets: Record<BucketName, string>): PublicFile {
  const bucket = (Object.entries(buckets).find(([, name]) => name === file.bucket)?.[0] ?? 'audio') as BucketName;
  return {
    id: file.id,
    name: file.name,
    size: file.size,
    contentType: file.contentType,
    bucket,
    createdAt: file.createdAt.toISOString(),
  };
}

const MB = 1024 * 1024;
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toFixed(1)} GB`;
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Completed small-file uploads whose POST policy is still live: storage accepts a re-post under their key. */
function liveCompletedPosts(userId: string) {
  return and(
    eq(uploads.ownerId, userId),
    eq(uploads.state, 'completed'),
    sql`${uploads.multipartId} is null`,
    sql`${uploads.urlsValidUntil} > now()`,
  );
}

/**
 * In one query: completed files plus the declared size of uploads still pending (`counted`), and the
 * declared size of completed uploads whose policy could still store that much again (`held`).
 */
async function countedBytes(db: Pick<Database, 'execute'>, userId: string): Promise<{ counted: number; held: number }> {
  const result = await db.execute(sql`
    select coalesce((select sum(${files.size}) from ${files} where ${files.ownerId} = ${userId}), 0)
         + coalesce((select sum(${uploads.declaredSize}) from ${uploads}
                     where ${uploads.ownerId} = ${userId} and ${uploads.state} = 'pending' and ${uploads.expiresAt} > now()), 0) as counted,
           coalesce((select sum(${uploads.declaredSize}) from ${uploads} where ${liveCompletedPosts(userId)}), 0) as held`);
  const row = (result as unknown as { rows: Array<{ counted: string | number; held: string | number }> }).rows[0];
  return { counted: Number(row?.counted ?? 0), held: Number(row?.held ?? 0) };
}

/**
 * What the user is using: completed files, the declared size of uploads still pending, and whatever a
 * re-post stored under the key of an upload whose POST policy is still live (asked of storage itself;
 * such uploads are the last couple of minutes' only). Room for a new upload is counted stricter: see
 * requestUpload.
 */
export async function storageUsage(
  deps: Pick<StorageDeps, 'db' | 'operations'>,
  userId: string,
  quotaBytes: number,
): Promise<StorageUsage> {
  const [{ counted }, live] = await Promise.all([
    countedBytes(deps.db, userId),
    deps.db
      .select({ bucket: uploads.bucket, objectKey: uploads.objectKey })
      .from(uploads)
      .where(liveCompletedPosts(userId)),
  ]);
  const reposted = await Promise.all(
    live.map((upload) =>
      deps.operations.statObject(upload.bucket, upload.objectKey).then(
        (stat) => stat.size,
        () => 0,
      ),
    ),
  );
  return { usedBytes: counted + reposted.reduce((sum, size) => sum + size, 0), quotaBytes };
}

export async function requestUpload(
  deps: StorageDeps,
  userId: string,
  input: { bucket: BucketName; filename: string; contentType: string; size: number; fingerprint?: string },
): Promise<StorageResult<{ uploadId: string; upload: PostUpload | MultipartUpload }>> {
  const rule = BUCKET_RULES[input.bucket];
  if (rule.contentTypes.length === 0)
    return { ok: false, status: 400, error: `The ${input.bucket} bucket is filled by the server only.` };
  if (!rule.contentTypes.includes(input.contentType)) {
    return {
      ok: false,
      status: 415,
      error: `${input.bucket} accepts ${rule.contentTypes.join(', ')}; this file is ${input.contentType}.`,
    };
  }
  if (input.size > rule.maxBytes) {
    return {
      ok: false,
      status: 413,
      error: `Files in ${input.bucket} can be up to ${Math.floor(rule.maxBytes / MB)} MB; this one is ${Math.ceil(input.size / MB)} MB.`,
    };
  }
  const result = await deps.db.transaction(async (tx) => {
    // One request per user at a time past this point: concurrent requests cannot all fit the same room.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`uploads:${userId}`}))`);
    // Stricter than storageUsage: a completed upload whose policy lives could still store its declared size.
    const { counted, held } = await countedBytes(tx, userId);
    const usedBytes = counted + held;
    const left = Math.max(0, deps.quotaBytes - usedBytes);
    if (input.size > left) {
      const wait =
        held > 0
          ? ` ${formatBytes(held)} of it is held for up to ${POST_POLICY_TTL_SECONDS / 60} minutes after your last uploads.`
          : '';
      return {
        ok: false as const,
        status: 413 as const,
        error: `This file needs ${formatBytes(input.size)} but only ${formatBytes(left)} of your ${formatBytes(deps.quotaBytes)} is left. Delete files to make room.${wait}`,
        extra: { remainingBytes: left, quotaBytes: deps.quotaBytes, usedBytes },
      };
    }
    const bucket = deps.buckets[input.bucket];
    const key = objectKeyFor(userId, randomUUID(), input.filename);
    const upload: PostUpload | MultipartUpload = await deps.uploads.start({
      bucket,
      key,
      contentType: input.contentType,
      size: input.size,
    });
    const expiresAt = new Date(Date.now() + UPLOAD_TTL_SECONDS * 1000);
    const [record] = await tx
      .insert(uploads)
      .values({
        ownerId: userId,
        bucket,
        objectKey: key,
        name: sanitizeFilename(input.filename),
        contentType: input.contentType,
        declaredSize: input.size,
        multipartId: upload.method === 'MULTIPART' ? upload.multipartId : null,
        partSize: upload.method === 'MULTIPART' ? upload.partSize : null,
        partCount: upload.method === 'MULTIPART' ? upload.partCount : null,
        expiresAt,
        urlsValidUntil: new Date(upload.expiresAt),
        fingerprint: input.fingerprint ?? null,
      })
      .returning();
    return { ok: true as const, uploadId: record!.id, upload };
  });
  return announced(deps, userId, result);
}

/** Thrown inside a transaction to roll it back and answer `result` (e.g. a part list to correct). */
class Refusal extends Error {
  constructor(readonly result: StorageResult<never>) {
    super(result.ok ? '' : result.error);
  }
}

const ENDED: Record<string, string> = {
  completed: 'This upload was already completed.',
  aborted: 'This upload was cancelled. Start the upload again.',
  expired: 'This upload expired before it was completed. Start the upload again.',
  rejected: 'This upload was refused (its stored file did not match what was declared). Start the upload again.',
};

/** Why an upload cannot be claimed, as the answer to give. */
async function unclaimable(db: Database, userId: string, uploadId: string): Promise<StorageResult<never>> {
  const [row] = await db
    .select()
    .from(uploads)
    .where(and(eq(uploads.id, uploadId), eq(uploads.ownerId, userId)))
    .limit(1);
  if (!row) return { ok: false, status: 404, error: 'No such upload.' };
  if (row.state === 'completed') return { ok: false, status: 409, error: ENDED.completed! };
  if (row.state !== 'pending') return { ok: false, status: 410, error: ENDED[row.state] ?? 'This upload has ended.' };
  return { ok: false, status: 410, error: ENDED.expired! };
}

export async function completeUpload(
  deps: StorageDeps,
  userId: string,
  uploadId: string,
  parts?: Array<{ partNumber: number; etag: string }>,
): Promise<StorageResult<{ file: PublicFile }>> {
  if (!isUuid(uploadId)) return { ok: false, status: 404, error: 'No such upload.' };
  try {
    const completed = await deps.db.transaction(async (tx) => {
      // The claim: pending and not expired, in one statement. The sweep's claim of an expired upload
      // waits for this row lock and then finds it no longer pending.
      const [upload] = await tx
        .update(uploads)
        .set({ state: 'completed', completedAt: sql`now()` })
        .where(
          and(
            eq(uploads.id, uploadId),
            eq(uploads.ownerId, userId),
            eq(uploads.state, 'pending'),
            sql`${uploads.expiresAt} > now()`,
          ),
        )
        .returning();
      if (!upload) throw new Refusal(await unclaimable(deps.db, userId, uploadId));

      // A multipart upload's part URLs die with its completion; a POST policy does not, so the file moves
      // to a key no policy names, and the copy is what gets checked (a re-post racing this cannot swap it).
      const checked = await deps.uploads.complete(recordOf(upload), parts, {
        moveTo: upload.multipartId ? undefined : objectKeyFor(userId, randomUUID(), upload.name),
      });
      if (!checked.ok && checked.reason !== 'mismatch') {
        throw new Refusal({ ok: false, status: checked.reason === 'not-uploaded' ? 409 : 422, error: checked.error });
      }
      if (!checked.ok) {
        await tx.update(uploads).set({ state: 'rejected', completedAt: null }).where(eq(uploads.id, upload.id));
        return { ok: false as const, status: 422 as const, error: checked.error };
      }
      const { key: fileKey, size: storedSize } = checked;
      const [file] = await tx
        .insert(files)
        .values({
          ownerId: userId,
          bucket: upload.bucket,
          objectKey: fileKey,
          name: upload.name,
          size: storedSize,
          contentType: upload.contentType,
        })
        .onConflictDoNothing()
        .returning();
      if (!file) throw new Refusal({ ok: false, status: 409, error: ENDED.completed! });
      return { ok: true as const, file: publicFile(file, deps.buckets), movedFrom: checked.movedFrom ? upload : null };
    });
    // The upload's key is empty from now on, unless its policy is used again: the sweep empties it then.
    if (completed.ok && completed.movedFrom)
      await deps.operations.removeObject(completed.movedFrom.bucket, completed.movedFrom.objectKey).catch(() => {});
    return await announced(deps, userId, completed.ok ? { ok: true as const, file: completed.file } : completed);
  } catch (error) {
    if (error instanceof Refusal) return error.result;
    throw error;
  }
}

/**
 * Signs more part URLs of a multipart upload in progress, and extends its life (15 minutes from now, never
 * past 24 hours after it started), so a slow connection finishes what it started.
 */
export async function signUploadParts(
  deps: StorageDeps,
  userId: string,
  uploadId: string,
  partNumbers: number[],
): Promise<StorageResult<{ parts: Array<{ partNumber: number; url: string }>; expiresAt: string }>> {
  if (!isUuid(uploadId)) return { ok: false, status: 404, error: 'No such upload.' };
  const [upload] = await deps.db
    .update(uploads)
    .set({
      expiresAt: sql`least(${uploads.createdAt} + ${UPLOAD_MAX_LIFETIME_SECONDS} * interval '1 second', greatest(${uploads.expiresAt}, now() + ${UPLOAD_TTL_SECONDS} * interval '1 second'))`,
      urlsValidUntil: sql`greatest(coalesce(${uploads.urlsValidUntil}, now()), now() + ${UPLOAD_TTL_SECONDS} * interval '1 second')`,
    })
    .where(pendingMultipartOf(userId, uploadId))
    .returning();
  if (!upload) return unclaimable(deps.db, userId, uploadId);
  try {
    const parts = await deps.uploads.signParts(recordOf(upload), partNumbers);
    return { ok: true, parts, expiresAt: upload.expiresAt.toISOString() };
  } catch (error) {
    if (error instanceof UploadInputError) return { ok: false, status: 400, error: error.message };
    throw error;
  }
}

/** The user's own multipart upload, still pending and unexpired: what signing parts and resuming act on. */
function pendingMultipartOf(userId: string, uploadId: string) {
  return and(
    eq(uploads.id, uploadId),
    eq(uploads.ownerId, userId),
    eq(uploads.state, 'pending'),
    sql`${uploads.expiresAt} > now()`,
    sql`${uploads.multipartId} is not null`,
  );
}

export interface ResumeState {
  uploadId: string;
  partSize: number;
  partCount: number;
  /** Parts storage already holds whole: send only the others. */
  uploadedParts: Array<{ partNumber: number; etag: string }>;
}

/**
 * Where a multipart upload stands, for a browser resuming it after a reload: owner checked, the same file
 * required (the fingerprint it started with), and the parts MinIO holds listed from MinIO itself.
 */
export async function resumeUpload(
  deps: StorageDeps,
  userId: string,
  uploadId: string,
  fingerprint: string,
): Promise<StorageResult<ResumeState>> {
  if (!isUuid(uploadId)) return { ok: false, status: 404, error: 'No such upload.' };
  const [upload] = await deps.db.select().from(uploads).where(pendingMultipartOf(userId, uploadId)).limit(1);
  if (!upload) return unclaimable(deps.db, userId, uploadId);
  if (!upload.fingerprint || upload.fingerprint !== fingerprint) {
    return {
      ok: false,
      status: 409,
      error: 'This is not the file this upload started with (its name, size or date differ). Start a new upload.',
    };
  }
  const uploadedParts = await deps.uploads.uploadedParts(recordOf(upload));
  return { ok: true, uploadId: upload.id, partSize: upload.partSize!, partCount: upload.partCount!, uploadedParts };
}

/** Ends an upload: its URLs are useless from now on, because whatever they store is removed. */
export async function abortUpload(deps: StorageDeps, userId: string, uploadId: string): Promise<StorageResult<object>> {
  if (!isUuid(uploadId)) return { ok: false, status: 404, error: 'No such upload.' };
  const [upload] = await deps.db
    .update(uploads)
    .set({ state: 'aborted' })
    .where(and(eq(uploads.id, uploadId), eq(uploads.ownerId, userId), eq(uploads.state, 'pending')))
    .returning();
  if (!upload) return unclaimable(deps.db, userId, uploadId);
  await removeStored(deps, upload);
  return announced(deps, userId, { ok: true as const });
}

async function removeStored(deps: StorageDeps, upload: Upload) {
  await deps.uploads.abort(recordOf(upload));
}

/** An upload row as the uploads package reads it. */
function recordOf(upload: Upload) {
  return {
    bucket: upload.bucket,
    key: upload.objectKey,
    contentType: upload.contentType,
    size: upload.declaredSize,
    multipartId: upload.multipartId,
    partSize: upload.partSize,
    partCount: upload.partCount,
  };
}

/**
 * The expiry sweep. Claims pending uploads past their expiry (the same conditional update completion
 * uses, so only one of them wins) and removes what they stored; removes what ended uploads stored, and
 * forgets them once their URLs cannot be used any more. Answers how many uploads it expired.
 */
export async function sweepStaleUploads(deps: StorageDeps, now = new Date()): Promise<number> {
  const expired = await deps.db
    .update(uploads)
    .set({ state: 'expired' })
    .where(and(eq(uploads.state, 'pending'), sql`${uploads.expiresAt} < ${now.toISOString()}::timestamptz`))
    .returning();
  for (const upload of expired) await removeStored(deps, upload);
  const revoked = await deps.db
    .select()
    .from(uploads)
    .where(
      and(
        sql`${uploads.state} in ('aborted', 'expired', 'rejected')`,
        sql`coalesce(${uploads.urlsValidUntil}, ${uploads.expiresAt}) < ${now.toISOString()}::timestamptz`,
      ),
    )
    .limit(1_000);
  for (const upload of revoked) {
    // The last URL has expired: what is under the key now stays gone, and the row can go.
    await removeStored(deps, upload);
    await deps.db.delete(uploads).where(and(eq(uploads.id, upload.id), sql`${uploads.state} <> 'pending'`));
  }
  // Completed small-file uploads whose policy expired: whatever a re-post left under the old key goes,
  // once (urls_valid_until is cleared), and usage stops counting it.
  const moved = await deps.db
    .select()
    .from(uploads)
    .where(
      and(
        eq(uploads.state, 'completed'),
        sql`${uploads.multipartId} is null`,
        sql`${uploads.urlsValidUntil} < ${now.toISOString()}::timestamptz`,
      ),
    )
    .limit(1_000);
  for (const upload of moved) {
    // As removeStored: a bucket gone or storage briefly down leaves the object to the backstop sweep.
    await deps.operations.removeObject(upload.bucket, upload.objectKey).catch(() => {});
    await deps.db.update(uploads).set({ urlsValidUntil: null }).where(eq(uploads.id, upload.id));
  }
  await deps.db
    .delete(uploads)
    .where(
      and(
        eq(uploads.state, 'completed'),
        sql`${uploads.completedAt} < ${new Date(now.getTime() - 24 * 3600 * 1000).toISOString()}::timestamptz`,
      ),
    );
  return expired.length;
}

/**
 * The backstop: lists every object under `users/` in the user-facing buckets and removes those that no
 * file or upload row claims and that are older than `olderThanMs` (longer than any URL lives), whatever
 * left them (a crash between storage and database, an upload through a URL of a forgotten row).
 */
export async function sweepUnclaimedObjects(
  deps: StorageDeps,
  { olderThanMs = 2 * UPLOAD_TTL_SECONDS * 1000, now = new Date() } = {},
): Promise<number> {
  let removed = 0;
  for (const bucket of UPLOAD_BUCKETS.map((name) => deps.buckets[name])) {
    const candidates: string[] = [];
    const stream = deps.operations.listObjectsV2(bucket, 'users/', true);
    for await (const item of stream as AsyncIterable<{ name?: string; lastModified?: Date }>) {
      if (item.name && item.lastModified && now.getTime() - item.lastModified.getTime() > olderThanMs)
        candidates.push(item.name);
    }
    for (let i = 0; i < candidates.length; i += 500) {
      const batch = candidates.slice(i, i + 500);
      const result = await deps.db.execute(sql`
        select ${files.objectKey} as key from ${files} where ${files.bucket} = ${bucket} and ${files.objectKey} in ${batch}
        union select ${uploads.objectKey} from ${uploads} where ${uploads.bucket} = ${bucket} and ${uploads.objectKey} in ${batch}`);
      const claimed = new Set((result as unknown as { rows: Array<{ key: string }> }).rows.map((r) => r.key));
      for (const key of batch) {
        if (claimed.has(key)) continue;
        await deps.operations.removeObject(bucket, key);
        removed++;
      }
    }
  }
  return removed;
}

export async function listFiles(deps: StorageDeps, userId: string): Promise<PublicFile[]> {
  const rows = await deps.db
    .select()
    .from(files)
    .where(eq(files.ownerId, userId))
    .orderBy(desc(files.createdAt))
    .limit(500);
  return rows.map((row) => publicFile(row, deps.buckets));
}

async function findOwnedFile(deps: StorageDeps, userId: string, fileId: string) {
  if (!isUuid(fileId)) return null;
  const [file] = await deps.db
    .select()
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.ownerId, userId)))
    .limit(1);
  return file ?? null;
}

export async function downloadLink(
  deps: StorageDeps,
  userId: string,
  fileId: string,
): Promise<StorageResult<{ url: string; expiresIn: number }>> {
  const file = await findOwnedFile(deps, userId, fileId);
  if (!file) return { ok: false, status: 404, error: 'No such file.' };
  const bucket = publicFile(file, deps.buckets).bucket;
  const inline = BUCKET_RULES[bucket].inlineTypes.includes(file.contentType);
  const url = await createDownloadUrl(deps.signer, {
    bucket: file.bucket,
    key: file.objectKey,
    name: file.name,
    contentType: file.contentType,
    inline,
  });
  return { ok: true, url, expiresIn: DOWNLOAD_TTL_SECONDS };
}

export async function deleteOwnedFile(
  deps: StorageDeps,
  userId: string,
  fileId: string,
): Promise<StorageResult<object>> {
  const file = await findOwnedFile(deps, userId, fileId);
  if (!file) return { ok: false, status: 404, error: 'No such file.' };
  await deps.operations.removeObject(file.bucket, file.objectKey);
  await deps.db.delete(files).where(eq(files.id, file.id));
  return announced(deps, userId, { ok: true as const });
}

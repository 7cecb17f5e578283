/**
 * Users' files, from upload request to deletion, as plain functions over injected dependencies. What a
 * user can get wrong comes back as a value with a message; nothing a user sends decides a key, and no user
 * can reach another's upload or file (each lookup is by id and owner). The object in MinIO is checked with
 * statObject before a file is recorded. Node-only.
 */
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Client } from 'minio';
import { files, uploads, type Database, type StoredFile } from '../db';
import { BUCKET_RULES, type BucketName } from './buckets';
import { createDownloadUrl, DOWNLOAD_TTL_SECONDS } from './downloads';
import { objectKeyFor, sanitizeFilename } from './keys';
import { createMultipartUpload, createPostUpload, MULTIPART_THRESHOLD, UPLOAD_TTL_SECONDS, type MultipartUpload, type PostUpload } from './uploads';

export interface StorageDeps {
  db: Database;
  operations: Client;
  signer: Client;
  buckets: Record<BucketName, string>;
}

export type StorageResult<T> = ({ ok: true } & T) | { ok: false; status: 400 | 404 | 409 | 413 | 415 | 422; error: string };

export interface PublicFile {
  id: string;
  name: string;
  size: number;
  contentType: string;
  bucket: BucketName;
  createdAt: string;
}

function publicFile(file: StoredFile, buckets: Record<BucketName, string>): PublicFile {
  const bucket = (Object.entries(buckets).find(([, name]) => name === file.bucket)?.[0] ?? 'audio') as BucketName;
  return { id: file.id, name: file.name, size: file.size, contentType: file.contentType, bucket, createdAt: file.createdAt.toISOString() };
}

export async function requestUpload(
  deps: StorageDeps,
  userId: string,
  input: { bucket: BucketName; filename: string; contentType: string; size: number },
): Promise<StorageResult<{ uploadId: string; upload: PostUpload | MultipartUpload }>> {
  const rule = BUCKET_RULES[input.bucket];
  if (rule.contentTypes.length === 0) return { ok: false, status: 400, error: `The ${input.bucket} bucket is filled by the server only.` };
  if (!rule.contentTypes.includes(input.contentType)) {
    return { ok: false, status: 415, error: `${input.bucket} accepts ${rule.contentTypes.join(', ')}; this file is ${input.contentType}.` };
  }
  if (input.size > rule.maxBytes) {
    return { ok: false, status: 413, error: `Files in ${input.bucket} can be up to ${Math.floor(rule.maxBytes / (1024 * 1024))} MB; this one is ${Math.ceil(input.size / (1024 * 1024))} MB.` };
  }
  const bucket = deps.buckets[input.bucket];
  const key = objectKeyFor(userId, randomUUID(), input.filename);
  const base = { bucket, key, contentType: input.contentType };
  const upload = input.size > MULTIPART_THRESHOLD
    ? await createMultipartUpload(deps.operations, deps.signer, { ...base, size: input.size })
    : await createPostUpload(deps.signer, { ...base, maxBytes: input.size });
  const [record] = await deps.db
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
      partCount: upload.method === 'MULTIPART' ? upload.parts.length : null,
      expiresAt: new Date(Date.now() + UPLOAD_TTL_SECONDS * 1000),
    })
    .returning();
  return { ok: true, uploadId: record!.id, upload };
}

async function findPendingUpload(deps: StorageDeps, userId: string, uploadId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(uploadId)) return null;
  const [upload] = await deps.db
    .select()
    .from(uploads)
    .where(and(eq(uploads.id, uploadId), eq(uploads.ownerId, userId), isNull(uploads.completedAt)))
    .limit(1);
  return upload ?? null;
}

export async function completeUpload(
  deps: StorageDeps,
  userId: string,
  uploadId: string,
  parts?: Array<{ partNumber: number; etag: string }>,
): Promise<StorageResult<{ file: PublicFile }>> {
  const upload = await findPendingUpload(deps, userId, uploadId);
  if (!upload) return { ok: false, status: 404, error: 'No such upload in progress.' };

  if (upload.multipartId) {
    const expected = upload.partCount ?? 0;
    const numbers = (parts ?? []).map((p) => p.partNumber).sort((a, b) => a - b);
    if (numbers.length !== expected || numbers.some((n, i) => n !== i + 1)) {
      return { ok: false, status: 422, error: `This upload has ${expected} parts; send each part number from 1 to ${expected} once, with its ETag.` };
    }
    try {
      await deps.operations.completeMultipartUpload(
        upload.bucket,
        upload.objectKey,
        upload.multipartId,
        (parts ?? []).map((p) => ({ part: p.partNumber, etag: p.etag.replace(/"/g, '') })).sort((a, b) => a.part - b.part),
      );
    } catch (error) {
      return { ok: false, status: 422, error: `Storage refused to assemble the parts (${(error as { code?: string }).code ?? 'error'}).` };
    }
  }

  let stat;
  try {
    stat = await deps.operations.statObject(upload.bucket, upload.objectKey);
  } catch {
    return { ok: false, status: 409, error: 'The file has not been uploaded yet.' };
  }
  const storedType = (stat.metaData?.['content-type'] as string | undefined) ?? '';
  if (stat.size > upload.declaredSize || stat.size === 0 || storedType !== upload.contentType) {
    await deps.operations.removeObject(upload.bucket, upload.objectKey).catch(() => {});
    await deps.db.delete(uploads).where(eq(uploads.id, upload.id));
    return { ok: false, status: 422, error: 'The stored file does not match what was declared (size or type); it was removed.' };
  }
  const [file] = await deps.db
    .insert(files)
    .values({ ownerId: userId, bucket: upload.bucket, objectKey: upload.objectKey, name: upload.name, size: stat.size, contentType: upload.contentType })
    .onConflictDoNothing()
    .returning();
  await deps.db.update(uploads).set({ completedAt: new Date() }).where(eq(uploads.id, upload.id));
  if (!file) return { ok: false, status: 409, error: 'This upload was already completed.' };
  return { ok: true, file: publicFile(file, deps.buckets) };
}

export async function abortUpload(deps: StorageDeps, userId: string, uploadId: string): Promise<StorageResult<object>> {
  const upload = await findPendingUpload(deps, userId, uploadId);
  if (!upload) return { ok: false, status: 404, error: 'No such upload in progress.' };
  await discard(deps, upload);
  return { ok: true };
}

async function discard(deps: StorageDeps, upload: typeof uploads.$inferSelect) {
  if (upload.multipartId) await deps.operations.abortMultipartUpload(upload.bucket, upload.objectKey, upload.multipartId).catch(() => {});
  await deps.operations.removeObject(upload.bucket, upload.objectKey).catch(() => {});
  await deps.db.delete(uploads).where(eq(uploads.id, upload.id));
}

/** Removes what expired uploads left behind: their objects, unfinished parts and records. */
export async function sweepStaleUploads(deps: StorageDeps, now = new Date()): Promise<number> {
  const stale = await deps.db.select().from(uploads).where(and(isNull(uploads.completedAt), lt(uploads.expiresAt, now))).limit(500);
  for (const upload of stale) await discard(deps, upload);
  await deps.db.delete(uploads).where(and(lt(uploads.expiresAt, new Date(now.getTime() - 24 * 3600 * 1000))));
  return stale.length;
}

export async function listFiles(deps: StorageDeps, userId: string): Promise<PublicFile[]> {
  const rows = await deps.db.select().from(files).where(eq(files.ownerId, userId)).orderBy(desc(files.createdAt)).limit(500);
  return rows.map((row) => publicFile(row, deps.buckets));
}

async function findOwnedFile(deps: StorageDeps, userId: string, fileId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(fileId)) return null;
  const [file] = await deps.db.select().from(files).where(and(eq(files.id, fileId), eq(files.ownerId, userId))).limit(1);
  return file ?? null;
}

export async function downloadLink(deps: StorageDeps, userId: string, fileId: string): Promise<StorageResult<{ url: string; expiresIn: number }>> {
  const file = await findOwnedFile(deps, userId, fileId);
  if (!file) return { ok: false, status: 404, error: 'No such file.' };
  const bucket = publicFile(file, deps.buckets).bucket;
  const inline = BUCKET_RULES[bucket].inlineTypes.includes(file.contentType);
  const url = await createDownloadUrl(deps.signer, { bucket: file.bucket, key: file.objectKey, name: file.name, contentType: file.contentType, inline });
  return { ok: true, url, expiresIn: DOWNLOAD_TTL_SECONDS };
}

export async function deleteOwnedFile(deps: StorageDeps, userId: string, fileId: string): Promise<StorageResult<object>> {
  const file = await findOwnedFile(deps, userId, fileId);
  if (!file) return { ok: false, status: 404, error: 'No such file.' };
  await deps.operations.removeObject(file.bucket, file.objectKey);
  await deps.db.delete(files).where(eq(files.id, file.id));
  return { ok: true };
}

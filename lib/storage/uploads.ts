/**
 * Presigned uploads, checked by MinIO itself. A small file gets a POST policy that fixes the exact key,
 * the exact Content-Type and a content-length-range up to the declared size, valid for minutes. A large
 * file gets a multipart upload the server starts, with one presigned PUT per part whose signature covers
 * the part's exact Content-Length: the part count and sizes follow from the declared size, so MinIO itself
 * refuses a part of any other size, the bucket's limit holds, and only the server completes or aborts it.
 * Node-only.
 */
import type { Client } from 'minio';
import type { PartSigner } from './part-signer';

export const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
export const MIN_PART_SIZE = 8 * 1024 * 1024;
export const MAX_PARTS = 10_000;
export const UPLOAD_TTL_SECONDS = 15 * 60;
/**
 * A POST policy only has to be valid when the browser starts sending (right after asking for it), and it
 * cannot be revoked: after completion, usage keeps counting the declared size until it expires.
 */
export const POST_POLICY_TTL_SECONDS = 2 * 60;
/** However long parts keep arriving, a multipart upload ends this long after it started. */
export const UPLOAD_MAX_LIFETIME_SECONDS = 24 * 3600;
/** Part URLs signed with the upload's answer; the browser asks for the rest as it goes. */
export const FIRST_PART_BATCH = 16;
export const MAX_PART_BATCH = 64;

export interface PostUpload {
  method: 'POST';
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface MultipartUpload {
  method: 'MULTIPART';
  multipartId: string;
  partSize: number;
  partCount: number;
  /** URLs of the first parts only: POST /api/uploads/<id>/parts signs the others, as the upload proceeds. */
  parts: Array<{ partNumber: number; url: string }>;
  expiresAt: string;
}

export async function createPostUpload(signer: Client, input: { bucket: string; key: string; contentType: string; maxBytes: number }): Promise<PostUpload> {
  const expiresAt = new Date(Date.now() + POST_POLICY_TTL_SECONDS * 1000);
  const policy = signer.newPostPolicy();
  policy.setBucket(input.bucket);
  policy.setKey(input.key);
  policy.setContentType(input.contentType);
  policy.setContentLengthRange(1, input.maxBytes);
  policy.setExpires(expiresAt);
  const { postURL, formData } = await signer.presignedPostPolicy(policy);
  return { method: 'POST', url: postURL, fields: formData, expiresAt: expiresAt.toISOString() };
}

export function partPlan(size: number): { partSize: number; partCount: number } {
  const partSize = Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS));
  return { partSize, partCount: Math.ceil(size / partSize) };
}

/** The exact size of each part: every part `partSize` bytes but the last, which holds the rest. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  return Math.min(partSize, size - (partNumber - 1) * partSize);
}

export async function signParts(
  partSigner: PartSigner,
  input: { bucket: string; key: string; multipartId: string; size: number; partSize: number },
  partNumbers: number[],
): Promise<Array<{ partNumber: number; url: string }>> {
  return Promise.all(
    partNumbers.map(async (partNumber) => ({
      partNumber,
      url: await partSigner({
        bucket: input.bucket,
        key: input.key,
        multipartId: input.multipartId,
        partNumber,
        contentLength: partLength(input.size, input.partSize, partNumber),
        expiresInSeconds: UPLOAD_TTL_SECONDS,
      }),
    })),
  );
}

export async function createMultipartUpload(
  operations: Client,
  partSigner: PartSigner,
  input: { bucket: string; key: string; contentType: string; size: number },
): Promise<MultipartUpload> {
  const { partSize, partCount } = partPlan(input.size);
  const multipartId = await operations.initiateNewMultipartUpload(input.bucket, input.key, { 'Content-Type': input.contentType });
  const first = Array.from({ length: Math.min(partCount, FIRST_PART_BATCH) }, (_, i) => i + 1);
  const parts = await signParts(partSigner, { ...input, multipartId, partSize }, first);
  return { method: 'MULTIPART', multipartId, partSize, partCount, parts, expiresAt: new Date(Date.now() + UPLOAD_TTL_SECONDS * 1000).toISOString() };
}

/**
 * Uploads that go from the browser straight to S3-compatible storage (MinIO, Garage, S3), checked by the
 * storage server itself. A small file gets a POST policy that fixes the exact key, the exact Content-Type
 * and a content-length-range up to the declared size, valid for minutes. A large file gets a multipart
 * upload the server starts, with one presigned PUT per part whose signature covers the part's exact
 * Content-Length: the part count and sizes follow from the declared size, so storage refuses a part of
 * any other size, and only the server completes or aborts it. Completion checks what was stored (size no
 * more than declared, not empty, the declared type) and removes it when it does not match. Who may
 * upload what, quotas and records are the caller's. Node-only.
 */
import { CopyDestinationOptions, CopySourceOptions, type Client } from 'minio';
import type { PartSigner } from './part-signer.js';

export interface PostUpload {
  method: 'POST';
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface PartUrl {
  partNumber: number;
  url: string;
}

export interface MultipartUpload {
  method: 'MULTIPART';
  multipartId: string;
  partSize: number;
  partCount: number;
  /** URLs of the first parts only: `signParts` signs the others as the upload proceeds. */
  parts: PartUrl[];
  expiresAt: string;
}

/** What the caller keeps about an upload between its start and its completion. */
export interface UploadRecord {
  bucket: string;
  key: string;
  contentType: string;
  /** The declared size in bytes. */
  size: number;
  /** Set for a multipart upload. */
  multipartId?: string | null;
  partSize?: number | null;
  partCount?: number | null;
}

export type CompleteResult =
  /**
   * `movedFrom`: the POST policy's key, still holding a copy. Remove it once the file is recorded (removing
   * it before would lose the upload if recording fails); a policy used again later fills it anew.
   */
  | { ok: true; key: string; size: number; movedFrom?: string }
  /** Nothing changed in storage: the caller may let the browser try again. */
  | { ok: false; reason: 'parts' | 'assemble' | 'not-uploaded'; error: string }
  /** The stored object did not match the declaration and was removed: the upload is over. */
  | { ok: false; reason: 'mismatch'; error: string };

export interface DirectUploadsOptions {
  /** A minio-js Client on the server's endpoint: starts, completes and aborts uploads, checks objects. */
  client: Client;
  /** A minio-js Client whose endpoint is the one browsers reach (signs POST policies). @default client */
  browserClient?: Client;
  /** Signs part URLs browsers reach: `createPartSigner({ publicUrl, accessKeyId, secretAccessKey })`. */
  partSigner: PartSigner;
  /** Files larger than this go in parts. @default 67108864 (64 MiB) */
  multipartThreshold?: number;
  /** @default 8388608 (8 MiB; S3's minimum is 5 MiB) */
  minPartSize?: number;
  /** How long part URLs are valid. @default 900 (15 minutes) */
  partUrlTtlSeconds?: number;
  /** How long a POST policy is valid; it cannot be revoked, so keep it short. @default 120 */
  postPolicyTtlSeconds?: number;
  /** Part URLs signed with the start's answer. @default 16 */
  firstPartBatch?: number;
  /** Most part URLs `signParts` signs at once. @default 64 */
  maxPartBatch?: number;
}

export class UploadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadInputError';
  }
}

/** Raised when the storage server has no such bucket: a setup mistake, said in words. */
export class MissingBucketError extends Error {
  constructor(readonly bucket: string) {
    super(
      `The bucket "${bucket}" does not exist on the storage server: create it first (client.makeBucket("${bucket}"), or mc mb <alias>/${bucket})`,
    );
    this.name = 'MissingBucketError';
  }
}

/** Rethrows a storage error, as MissingBucketError when it says the bucket does not exist. */
function rethrow(error: unknown, bucket: string): never {
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'NoSuchBucket' || code === 'NotFound') throw new MissingBucketError(bucket);
  throw error;
}

export const MAX_PARTS = 10_000;
const MIB = 1024 * 1024;

/** How a file of `size` bytes is cut: every part `partSize` bytes but the last. */
export function partPlan(size: number, minPartSize = 8 * MIB): { partSize: number; partCount: number } {
  const partSize = Math.max(minPartSize, Math.ceil(size / MAX_PARTS));
  return { partSize, partCount: Math.ceil(size / partSize) };
}

/** The exact size of part `partNumber`: `partSize` bytes, but the last holds the rest. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  return Math.min(partSize, size - (partNumber - 1) * partSize);
}

export interface DirectUploads {
  readonly multipartThreshold: number;
  /** A POST policy (small files) or a started multipart upload with its first part URLs. */
  start(input: {
    bucket: string;
    key: string;
    contentType: string;
    size: number;
  }): Promise<PostUpload | MultipartUpload>;
  /** More part URLs of a multipart upload; refuses numbers outside 1…partCount and too many at once. */
  signParts(upload: UploadRecord, partNumbers: number[]): Promise<PartUrl[]>;
  /** The parts storage holds whole (the right size for their number): what a resuming browser may skip. */
  uploadedParts(upload: UploadRecord): Promise<Array<{ partNumber: number; etag: string }>>;
  /**
   * Assembles a multipart upload (every part number once, with its ETag), or moves a POST upload to
   * `moveTo` (a key no policy names, so a re-post racing this cannot swap the file), then checks the
   * stored object against the record.
   */
  complete(
    upload: UploadRecord,
    parts?: Array<{ partNumber: number; etag: string }>,
    options?: { moveTo?: string },
  ): Promise<CompleteResult>;
  /** Ends an upload: whatever its URLs stored is removed. */
  abort(upload: UploadRecord): Promise<void>;
}

export function createDirectUploads(options: DirectUploadsOptions): DirectUploads {
  const { client, partSigner } = options;
  if (typeof client?.statObject !== 'function')
    throw new TypeError('createDirectUploads needs { client }: a minio-js Client (new Client({ endPoint, … }))');
  if (typeof partSigner !== 'function')
    throw new TypeError(
      'createDirectUploads needs { partSigner }: createPartSigner({ publicUrl, accessKeyId, secretAccessKey })',
    );
  const browserClient = options.browserClient ?? client;
  const multipartThreshold = options.multipartThreshold ?? 64 * MIB;
  const minPartSize = options.minPartSize ?? 8 * MIB;
  if (minPartSize < 5 * MIB)
    throw new RangeError(`minPartSize must be at least 5 MiB, S3's smallest part (got ${minPartSize})`);
  const partUrlTtlSeconds = options.partUrlTtlSeconds ?? 15 * 60;
  const postPolicyTtlSeconds = options.postPolicyTtlSeconds ?? 120;
  const firstPartBatch = options.firstPartBatch ?? 16;
  const maxPartBatch = options.maxPartBatch ?? 64;

  const sign = (
    upload: Required<Pick<UploadRecord, 'bucket' | 'key' | 'size'>> & { multipartId: string; partSize: number },
    numbers: number[],
  ) =>
    Promise.all(
      numbers.map(async (partNumber) => ({
        partNumber,
        url: await partSigner({
          bucket: upload.bucket,
          key: upload.key,
          multipartId: upload.multipartId,
          partNumber,
          contentLength: partLength(upload.size, upload.partSize, partNumber),
          expiresInSeconds: partUrlTtlSeconds,
        }),
      })),
    );

  const multipartOf = (upload: UploadRecord) => {
    if (!upload.multipartId || !upload.partSize || !upload.partCount)
      throw new UploadInputError('This is not a multipart upload.');
    return { ...upload, multipartId: upload.multipartId, partSize: upload.partSize, partCount: upload.partCount };
  };

  const removeQuietly = (bucket: string, keys: string[]) =>
    client.removeObjects(bucket, [...new Set(keys)]).catch(() => {});

  return {
    multipartThreshold,

    async start(input) {
      if (!Number.isSafeInteger(input.size) || input.size < 1)
        throw new UploadInputError(`size must be a whole number of bytes, at least 1 (got ${input.size})`);
      if (input.size <= multipartThreshold) {
        const expiresAt = new Date(Date.now() + postPolicyTtlSeconds * 1000);
        const policy = browserClient.newPostPolicy();
        policy.setBucket(input.bucket);
        policy.setKey(input.key);
        policy.setContentType(input.contentType);
        policy.setContentLengthRange(1, input.size);
        policy.setExpires(expiresAt);
        const { postURL, formData } = await browserClient.presignedPostPolicy(policy);
        return { method: 'POST', url: postURL, fields: formData, expiresAt: expiresAt.toISOString() };
      }
      const { partSize, partCount } = partPlan(input.size, minPartSize);
      const multipartId = await client
        .initiateNewMultipartUpload(input.bucket, input.key, { 'Content-Type': input.contentType })
        .catch((error: unknown) => rethrow(error, input.bucket));
      const first = Array.from({ length: Math.min(partCount, firstPartBatch) }, (_, i) => i + 1);
      const parts = await sign({ ...input, multipartId, partSize }, first);
      return {
        method: 'MULTIPART',
        multipartId,
        partSize,
        partCount,
        parts,
        expiresAt: new Date(Date.now() + partUrlTtlSeconds * 1000).toISOString(),
      };
    },

    async signParts(upload, partNumbers) {
      const multipart = multipartOf(upload);
      if (partNumbers.length === 0 || partNumbers.length > maxPartBatch)
        throw new UploadInputError(`Ask for 1 to ${maxPartBatch} parts at a time.`);
      const unknown = partNumbers.find((n) => !Number.isInteger(n) || n < 1 || n > multipart.partCount);
      if (unknown !== undefined)
        throw new UploadInputError(`This upload has parts 1 to ${multipart.partCount}; there is no part ${unknown}.`);
      return sign(multipart, [...new Set(partNumbers)]);
    },

    async uploadedParts(upload) {
      const multipart = multipartOf(upload);
      // minio-js keeps listParts protected; it is the ListParts call S3 defines, paginated for us.
      const listed = await (
        client as unknown as {
          listParts(b: string, k: string, id: string): Promise<Array<{ part: number; etag: string; size: number }>>;
        }
      ).listParts(multipart.bucket, multipart.key, multipart.multipartId);
      return listed
        .filter((p) => p.size === partLength(multipart.size, multipart.partSize, p.part))
        .map((p) => ({ partNumber: p.part, etag: p.etag.replace(/"/g, '') }));
    },

    async complete(upload, parts, completeOptions = {}) {
      let key = upload.key;
      if (upload.multipartId) {
        const expected = upload.partCount ?? 0;
        const numbers = (parts ?? []).map((p) => p.partNumber).sort((a, b) => a - b);
        if (numbers.length !== expected || numbers.some((n, i) => n !== i + 1)) {
          return {
            ok: false,
            reason: 'parts',
            error: `This upload has ${expected} parts; send each part number from 1 to ${expected} once, with its ETag.`,
          };
        }
        try {
          await client.completeMultipartUpload(
            upload.bucket,
            upload.key,
            upload.multipartId,
            (parts ?? [])
              .map((p) => ({ part: p.partNumber, etag: p.etag.replace(/"/g, '') }))
              .sort((a, b) => a.part - b.part),
          );
        } catch (error) {
          return {
            ok: false,
            reason: 'assemble',
            error: `Storage refused to assemble the parts (${(error as { code?: string }).code ?? 'error'}).`,
          };
        }
      } else if (completeOptions.moveTo) {
        key = completeOptions.moveTo;
        try {
          await client.copyObject(
            new CopySourceOptions({ Bucket: upload.bucket, Object: upload.key }),
            new CopyDestinationOptions({ Bucket: upload.bucket, Object: key }),
          );
        } catch (error) {
          if ((error as { code?: string }).code === 'NoSuchBucket') rethrow(error, upload.bucket);
          return { ok: false, reason: 'not-uploaded', error: 'The file has not been uploaded yet.' };
        }
      }
      let stat;
      try {
        stat = await client.statObject(upload.bucket, key);
      } catch (error) {
        // A HEAD answers a missing bucket with a bare 404, as it does a missing object: ask which.
        if (
          (error as { code?: string }).code === 'NoSuchBucket' ||
          !(await client.bucketExists(upload.bucket).catch(() => true))
        )
          rethrow(error, upload.bucket);
        return { ok: false, reason: 'not-uploaded', error: 'The file has not been uploaded yet.' };
      }
      const storedType = (stat.metaData?.['content-type'] as string | undefined) ?? '';
      if (stat.size > upload.size || stat.size === 0 || storedType !== upload.contentType) {
        await removeQuietly(upload.bucket, [upload.key, key]);
        return {
          ok: false,
          reason: 'mismatch',
          error: 'The stored file does not match what was declared (size or type); it was removed.',
        };
      }
      return { ok: true, key, size: stat.size, movedFrom: key === upload.key ? undefined : upload.key };
    },

    async abort(upload) {
      if (upload.multipartId)
        await client.abortMultipartUpload(upload.bucket, upload.key, upload.multipartId).catch(() => {});
      await client.removeObject(upload.bucket, upload.key).catch(() => {});
    },
  };
}

/**
 * This app's settings for @zigznote/uploads (direct-to-storage uploads): when a file goes in parts, how
 * long URLs live, and how long an upload may run; and the uploader made from them for a configuration.
 * Node-only.
 */
import { createDirectUploads, createPartSigner, type DirectUploads } from '@zigznote/uploads';
import type { Client } from 'minio';
import type { AppConfig } from '../config';

export const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
export const MIN_PART_SIZE = 8 * 1024 * 1024;
export const UPLOAD_TTL_SECONDS = 15 * 60;
/**
 * A POST policy only has to be valid when the browser starts sending (right after asking for it), and it
 * cannot be revoked: after completion, usage keeps counting the declared size until it expires.
 */
export const POST_POLICY_TTL_SECONDS = 2 * 60;
/** However long parts keep arriving, a multipart upload ends this long after it started. */
export const UPLOAD_MAX_LIFETIME_SECONDS = 24 * 3600;

export function createAppUploads(
  config: AppConfig['storage'],
  clients: { operations: Client; signing: Client },
): DirectUploads {
  return createDirectUploads({
    client: clients.operations,
    browserClient: clients.signing,
    partSigner: createPartSigner({
      publicUrl: config.publicUrl,
      region: config.region,
      accessKeyId: config.accessKey,
      secretAccessKey: config.secretKey,
    }),
    multipartThreshold: MULTIPART_THRESHOLD,
    minPartSize: MIN_PART_SIZE,
    partUrlTtlSeconds: UPLOAD_TTL_SECONDS,
    postPolicyTtlSeconds: POST_POLICY_TTL_SECONDS,
  });
}

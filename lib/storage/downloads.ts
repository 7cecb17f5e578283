/**
 * Short-lived presigned downloads whose response headers the app decides: Content-Disposition is
 * `attachment` unless the type is an image safe to show (never HTML or SVG, which could run script on the
 * storage origin), and Content-Type is the recorded one. Node-only.
 */
import type { Client } from 'minio';

export const DOWNLOAD_TTL_SECONDS = 5 * 60;

export function contentDisposition(name: string, inline: boolean): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function createDownloadUrl(
  signer: Client,
  input: { bucket: string; key: string; name: string; contentType: string; inline: boolean },
): Promise<string> {
  return signer.presignedGetObject(input.bucket, input.key, DOWNLOAD_TTL_SECONDS, {
    'response-content-disposition': contentDisposition(input.name, input.inline),
    'response-content-type': input.inline ? input.contentType : 'application/octet-stream',
  });
}

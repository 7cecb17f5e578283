/**
 * Presigned part URLs that fix the part's exact size. minio-js signs only the Host header of a presigned
 * PUT, so a part URL would accept any body, up to 5 GiB; here each URL is signed with AWS Signature V4
 * (the AWS SDK's own signer) with `content-length` among the signed headers, so storage refuses a part of
 * any other size (403 SignatureDoesNotMatch). Browsers send Content-Length from the Blob they PUT. Node-only.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export interface PartToSign {
  bucket: string;
  key: string;
  multipartId: string;
  partNumber: number;
  contentLength: number;
  expiresInSeconds: number;
}

export type PartSigner = (part: PartToSign) => Promise<string>;

export interface PartSignerOptions {
  /** The storage origin browsers reach, e.g. `https://files.example.com` (path-style buckets under it). */
  publicUrl: string;
  /** @default 'us-east-1' */
  region?: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** RFC 3986 encoding, as SigV4 canonicalises it. */
const escape = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function createPartSigner(options: PartSignerOptions): PartSigner {
  let publicUrl: URL;
  try {
    publicUrl = new URL(options?.publicUrl);
  } catch {
    throw new TypeError(
      `createPartSigner needs publicUrl, the storage origin browsers reach (got ${JSON.stringify(options?.publicUrl)})`,
    );
  }
  if (!options.accessKeyId || !options.secretAccessKey)
    throw new TypeError('createPartSigner needs accessKeyId and secretAccessKey');
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    region: options.region ?? 'us-east-1',
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    // S3 paths are encoded once, not twice as other AWS services expect.
    uriEscapePath: false,
  });
  return async (part) => {
    const path = `${publicUrl.pathname.replace(/\/$/, '')}/${escape(part.bucket)}/${part.key.split('/').map(escape).join('/')}`;
    const signed = await signer.presign(
      {
        method: 'PUT',
        protocol: publicUrl.protocol,
        hostname: publicUrl.hostname,
        port: publicUrl.port ? Number(publicUrl.port) : undefined,
        path,
        query: { partNumber: String(part.partNumber), uploadId: part.multipartId },
        headers: {
          host: publicUrl.host,
          'content-length': String(part.contentLength),
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        },
      },
      { expiresIn: part.expiresInSeconds, signableHeaders: new Set(['content-length']) },
    );
    const query = Object.entries(signed.query ?? {})
      .map(([name, value]) => `${escape(name)}=${escape(String(value))}`)
      .join('&');
    return `${publicUrl.origin}${path}?${query}`;
  };
}

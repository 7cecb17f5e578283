/**
 * Per-bucket CORS rules, for servers that keep them per bucket (Garage): the browser posts uploads and
 * parts straight to storage from the app's origin, and reads the ETag of each part. minio-js has no
 * PutBucketCors, so this one S3 call is signed with aws4fetch. Node-only.
 */
import { AwsClient } from 'aws4fetch';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config';

type StorageConfig = AppConfig['storage'];

export function bucketCorsXml(origins: string[]): string {
  const allowed = origins.map((origin) => `<AllowedOrigin>${escapeXml(origin)}</AllowedOrigin>`).join('');
  const methods = ['GET', 'HEAD', 'PUT', 'POST'].map((method) => `<AllowedMethod>${method}</AllowedMethod>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><CORSConfiguration><CORSRule>${allowed}${methods}<AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
}

export async function putBucketCors(config: StorageConfig, bucket: string, origins: string[]): Promise<void> {
  const aws = new AwsClient({
    accessKeyId: config.accessKey,
    secretAccessKey: config.secretKey,
    service: 's3',
    region: config.region,
  });
  const body = bucketCorsXml(origins);
  const origin = `${config.useSSL ? 'https' : 'http'}://${config.endPoint}:${config.port}`;
  const response = await aws.fetch(`${origin}/${bucket}?cors`, {
    method: 'PUT',
    body,
    headers: { 'Content-Type': 'application/xml', 'Content-MD5': createHash('md5').update(body).digest('base64') },
  });
  if (!response.ok) {
    const code = /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1] ?? 'no error code';
    throw new Error(`PutBucketCors on ${bucket} answered ${response.status} (${code})`);
  }
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

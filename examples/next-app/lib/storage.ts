// The example's direct uploads: @zigznote/uploads on MinIO (MINIO_*), one bucket, each upload's record
// kept in Redis between its start and its completion. Node-only.
import { createDirectUploads, createPartSigner, type DirectUploads, type UploadRecord } from '@zigznote/uploads';
import { Client } from 'minio';
import { redis } from './redis';

export const BUCKET = 'example-uploads';
const keys = { accessKey: process.env.MINIO_ACCESS_KEY ?? '', secretKey: process.env.MINIO_SECRET_KEY ?? '' };
export const client = new Client({
  endPoint: '127.0.0.1',
  port: Number(process.env.MINIO_PORT),
  useSSL: false,
  region: 'us-east-1',
  ...keys,
});

const global = globalThis as { exampleUploads?: DirectUploads };
export const uploads = (global.exampleUploads ??= createDirectUploads({
  client,
  partSigner: createPartSigner({
    publicUrl: process.env.MINIO_PUBLIC_URL ?? '',
    accessKeyId: keys.accessKey,
    secretAccessKey: keys.secretKey,
  }),
}));

export async function ensureBucket(): Promise<void> {
  if (!(await client.bucketExists(BUCKET))) await client.makeBucket(BUCKET, 'us-east-1').catch(() => {});
}

export async function saveRecord(id: string, record: UploadRecord): Promise<void> {
  await redis.set(`example:upload:${id}`, JSON.stringify(record), 'EX', 3600);
}

export async function takeRecord(id: string): Promise<UploadRecord | null> {
  const saved = await redis.getdel(`example:upload:${id}`);
  return saved ? (JSON.parse(saved) as UploadRecord) : null;
}

export async function readRecord(id: string): Promise<UploadRecord | null> {
  const saved = await redis.get(`example:upload:${id}`);
  return saved ? (JSON.parse(saved) as UploadRecord) : null;
}

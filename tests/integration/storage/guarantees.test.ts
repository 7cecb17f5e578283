// The start-up self-check of the storage server's guarantees: it holds on the configured backend (this
// file runs on MinIO and, in the integration-garage project, on Garage), and it fails loudly, naming
// each broken guarantee, against the s3rver stand-in, which accepts any upload.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { Client } from 'minio';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config';
import { bucketCorsXml } from '@/lib/storage/bucket-cors';
import {
  bucketNames,
  checkStorageGuarantees,
  createOperationsClient,
  missingGuarantees,
  putBucketCors,
  storageBackend,
} from '@/lib/storage';
import { freePort } from '../../support/redis-server';

// An origin scripts/services lets through MinIO's server-wide CORS list; on Garage the app writes it.
const APP_ORIGIN = 'http://127.0.0.1:3100';
const config = loadConfig(process.env).storage;
const backend = storageBackend(config.backend);
const bucket = bucketNames(config.bucketPrefix).audio;

describe(`the storage self-check on ${backend.label}`, () => {
  it('finds every guarantee the app relies on kept, and leaves nothing behind', async () => {
    const client = createOperationsClient(config);
    // what the app's start-up does on a backend with per-bucket CORS
    if (backend.cors === 'per-bucket') await putBucketCors(config, bucket, [APP_ORIGIN]);
    const report = await checkStorageGuarantees({ client, bucket, appOrigin: APP_ORIGIN, corsHint: backend.corsHint });
    expect(report.guarantees.map((g) => [g.name, g.ok])).toEqual([
      ['post-policy-size', true],
      ['post-policy-type', true],
      ['presigned-get', true],
      ['cors', true],
    ]);
    expect(report.ok).toBe(true);
    const leftovers: string[] = [];
    for await (const object of client.listObjectsV2(bucket, '_selfcheck/', true)) leftovers.push(object.name!);
    expect(leftovers).toEqual([]);
  });

  it("reports an origin the server's CORS does not allow, with what to do about it", async () => {
    const report = await checkStorageGuarantees({
      client: createOperationsClient(config),
      bucket,
      appOrigin: 'https://not-the-app.example',
      corsHint: backend.corsHint,
    });
    expect(report.ok).toBe(false);
    expect(report.guarantees.find((g) => g.name === 'cors')).toMatchObject({
      ok: false,
      detail: expect.stringContaining(backend.corsHint),
    });
  });
});

describe('the storage self-check on the s3rver stand-in', () => {
  const servers: S3rver[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  it('fails loudly: the oversize upload and the wrong content type are named', async () => {
    const port = await freePort();
    const server = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory: mkdtempSync(join(tmpdir(), 'zz-s3rver-')),
      configureBuckets: [{ name: 'selfcheck-audio', configs: [bucketCorsXml([APP_ORIGIN])] }],
    });
    servers.push(server);
    await server.run();
    const client = new Client({
      endPoint: '127.0.0.1',
      port,
      useSSL: false,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      region: 'us-east-1',
    });
    const report = await checkStorageGuarantees({
      client,
      bucket: 'selfcheck-audio',
      appOrigin: APP_ORIGIN,
      corsHint: 'configure the bucket',
    });
    expect(report.ok).toBe(false);
    expect(report.guarantees.filter((g) => !g.ok).map((g) => g.name)).toEqual(['post-policy-size', 'post-policy-type']);
    expect(missingGuarantees(report)).toEqual([
      'a POST policy upload over its declared size is refused: NO — accepted 17 bytes against a policy of at most 16 (answered 204): this server does not enforce content-length-range',
      'a POST policy upload with another content type is refused: NO — accepted text/html against a policy of audio/mpeg (answered 204): this server does not enforce policy conditions',
    ]);
  });
});

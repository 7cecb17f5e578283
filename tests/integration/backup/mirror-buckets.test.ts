// scripts/mirror-buckets: the app's buckets on MinIO copied to a second target, a real Garage (its buckets
// made by docker/garage-init.mjs, as an operator would), the MinIO data lost, and copied back byte for byte.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { emptyBucket } from '@zigznote/playwright-kit';
import { Client } from 'minio';
import { afterAll, describe, expect, it } from 'vitest';
import { getConfig } from '@/lib/config';
import { BUCKET_NAMES, createOperationsClient } from '@/lib/storage';
import { initGarageBuckets } from '../../support/garage';

const storage = getConfig().storage;
const minio = createOperationsClient(storage);
const suffix = randomBytes(4).toString('hex');
const prefix = `zzsrc${suffix}`;
const mirrorPrefix = `zzmirror${suffix}`;
const mirrorKey = { accessKey: `GK${randomBytes(12).toString('hex')}`, secretKey: randomBytes(32).toString('hex') };
const garagePort = process.env.GARAGE_S3_PORT;
const garage = new Client({
  endPoint: '127.0.0.1',
  port: Number(garagePort),
  useSSL: false,
  region: 'garage',
  ...mirrorKey,
});
const names = BUCKET_NAMES;

async function read(client: Client, bucket: string, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await client.getObject(bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function keysIn(client: Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of client.listObjectsV2(bucket, '', true) as AsyncIterable<{ name: string }>)
    keys.push(item.name);
  return keys.sort();
}

function mirror(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('scripts/mirror-buckets', args, {
    env: {
      ...process.env,
      MC: process.env.ZZ_MC_BIN,
      MINIO_BUCKET_PREFIX: prefix,
      MIRROR_URL: `http://127.0.0.1:${garagePort}`,
      MIRROR_ACCESS_KEY: mirrorKey.accessKey,
      MIRROR_SECRET_KEY: mirrorKey.secretKey,
      MIRROR_BUCKET_PREFIX: mirrorPrefix,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (status) => resolve({ status, stdout, stderr })));
}

afterAll(async () => {
  for (const name of names) {
    const bucket = `${prefix}-${name}`;
    if (!(await minio.bucketExists(bucket).catch(() => false))) continue;
    await emptyBucket(minio, bucket);
    await minio.removeBucket(bucket);
  }
});

describe('scripts/mirror-buckets (MinIO to Garage and back)', () => {
  it(
    'copies every bucket of the prefix, and brings the files back byte for byte after the storage lost them',
    { timeout: 120_000 },
    async () => {
      expect(garagePort, 'GARAGE_S3_PORT (scripts/services env)').toBeTruthy();
      const init = initGarageBuckets(mirrorKey, mirrorPrefix);
      expect(init.status, init.stderr).toBe(0);

      const files = new Map<string, Buffer>([
        ['audio/users/1/take.mp3', randomBytes(3 * 1024 * 1024 + 17)],
        ['avatars/users/1/face.png', randomBytes(40_000)],
        ['backups/sets/2026-12-05T03-17-00-000Z/manifest.json', Buffer.from('{"format":1}')],
      ]);
      for (const name of names) await minio.makeBucket(`${prefix}-${name}`, storage.region);
      for (const [path, body] of files) {
        const [name, ...key] = path.split('/');
        await minio.putObject(`${prefix}-${name}`, key.join('/'), body, body.length, {
          'Content-Type': name === 'avatars' ? 'image/png' : 'application/octet-stream',
        });
      }

      const copied = await mirror([]);
      expect(copied.status, copied.stderr).toBe(0);
      for (const name of names)
        expect(copied.stdout).toContain(`storage/${prefix}-${name} -> mirror/${mirrorPrefix}-${name}`);
      for (const [path, body] of files) {
        const [name, ...key] = path.split('/');
        expect((await read(garage, `${mirrorPrefix}-${name}`, key.join('/'))).equals(body), path).toBe(true);
      }
      expect((await garage.statObject(`${mirrorPrefix}-avatars`, 'users/1/face.png')).metaData['content-type']).toBe(
        'image/png',
      );

      // A file deleted by the app stays on the mirror unless --remove is asked for.
      await minio.removeObject(`${prefix}-avatars`, 'users/1/face.png');
      const again = await mirror([]);
      expect(again.status, again.stderr).toBe(0);
      expect(await keysIn(garage, `${mirrorPrefix}-avatars`)).toEqual(['users/1/face.png']);
      await minio.putObject(`${prefix}-avatars`, 'users/1/face.png', files.get('avatars/users/1/face.png')!);

      // The storage server loses every object, and two buckets with them.
      for (const name of names) await emptyBucket(minio, `${prefix}-${name}`);
      for (const name of ['audio', 'backups']) await minio.removeBucket(`${prefix}-${name}`);
      const restored = await mirror(['--restore']);
      expect(restored.status, restored.stderr).toBe(0);
      for (const [path, body] of files) {
        const [name, ...key] = path.split('/');
        expect((await read(minio, `${prefix}-${name}`, key.join('/'))).equals(body), path).toBe(true);
      }

      // --remove makes the mirror forget what the storage deleted.
      await minio.removeObject(`${prefix}-audio`, 'users/1/take.mp3');
      const removed = await mirror(['--remove']);
      expect(removed.status, removed.stderr).toBe(0);
      expect(await keysIn(garage, `${mirrorPrefix}-audio`)).toEqual([]);
      expect(await keysIn(garage, `${mirrorPrefix}-avatars`)).toEqual(['users/1/face.png']);
    },
  );

  it('says what is missing instead of guessing', async () => {
    const result = spawnSync('scripts/mirror-buckets', [], {
      encoding: 'utf8',
      env: { ...process.env, MIRROR_URL: '' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('mirror-buckets: MIRROR_URL is not set');
    expect(spawnSync('scripts/mirror-buckets', ['--everything'], { encoding: 'utf8' }).stderr.trim()).toBe(
      'usage: scripts/mirror-buckets [--remove | --restore]',
    );
  });
});

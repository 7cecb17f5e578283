import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'minio';
import { describe, expect, it } from 'vitest';
import { getConfig } from '@/lib/config';

// docker/minio-init.sh, the compose file's one-shot step, run with mc (built by scripts/services like
// MinIO) against the real MinIO the tests started, whose root credentials are the test's storage key.
const storage = getConfig().storage;
const mc = process.env.ZZ_MC_BIN;
const suffix = randomBytes(4).toString('hex');
const prefix = `zzinit${suffix}`;
const keys = {
  app: { accessKey: `zz-app-${suffix}`, secretKey: randomBytes(16).toString('hex') },
  backups: { accessKey: `zz-backups-${suffix}`, secretKey: randomBytes(16).toString('hex') },
  prune: { accessKey: `zz-prune-${suffix}`, secretKey: randomBytes(16).toString('hex') },
};

function runInit(overrides: Record<string, string> = {}) {
  expect(mc, 'ZZ_MC_BIN (scripts/services env) names the mc binary').toBeTruthy();
  return spawnSync('bash', ['docker/minio-init.sh'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      NODE_ENV: 'test',
      PATH: `${mc!.replace(/\/mc$/, '')}:${process.env.PATH}`,
      HOME: process.env.HOME,
      MINIO_URL: `http://${storage.endPoint}:${storage.port}`,
      MINIO_ROOT_USER: storage.accessKey,
      MINIO_ROOT_PASSWORD: storage.secretKey,
      MINIO_APP_ACCESS_KEY: keys.app.accessKey,
      MINIO_APP_SECRET_KEY: keys.app.secretKey,
      MINIO_BACKUP_ACCESS_KEY: keys.backups.accessKey,
      MINIO_BACKUP_SECRET_KEY: keys.backups.secretKey,
      MINIO_PRUNE_ACCESS_KEY: keys.prune.accessKey,
      MINIO_PRUNE_SECRET_KEY: keys.prune.secretKey,
      MINIO_BUCKET_PREFIX: prefix,
      ...overrides,
    },
  });
}

const client = (key: { accessKey: string; secretKey: string }) =>
  new Client({ endPoint: storage.endPoint, port: storage.port, useSSL: false, region: storage.region, ...key });

async function refused(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => undefined,
    (caught: { code?: string }) => caught,
  );
  expect(error, 'MinIO refused the request').toBeDefined();
  return String((error as { code?: string }).code);
}

describe('minio-init (docker/minio-init.sh)', () => {
  it('gives the app a key for its own buckets only, and the backup job one for the backups bucket only', async () => {
    const first = runInit();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    // Every `up` runs it again: nothing changes, nothing fails.
    expect(runInit().status).toBe(0);

    const app = client(keys.app);
    for (const bucket of ['audio', 'backups']) await app.makeBucket(`${prefix}-${bucket}`, storage.region);
    await app.putObject(`${prefix}-audio`, 'take.mp3', Buffer.from('ID3'));
    expect(await refused(app.makeBucket(`other${suffix}`, storage.region))).toBe('AccessDenied');
    // Another application's bucket on the same server, made by the administrator.
    const root = client({ accessKey: storage.accessKey, secretKey: storage.secretKey });
    await root.makeBucket(`other${suffix}`, storage.region);
    await root.putObject(`other${suffix}`, 'private.txt', Buffer.from('not yours'));
    expect(await refused(app.getObject(`other${suffix}`, 'private.txt'))).toBe('AccessDenied');
    expect(await refused(app.putObject(`other${suffix}`, 'mine.txt', Buffer.from('x')))).toBe('AccessDenied');

    const backups = client(keys.backups);
    await backups.putObject(`${prefix}-backups`, 'db.dump', Buffer.from('PGDMP'));
    expect((await backups.getObject(`${prefix}-backups`, 'db.dump')).read().toString()).toBe('PGDMP');
    expect(await refused(backups.putObject(`${prefix}-audio`, 'x', Buffer.from('x')))).toBe('AccessDenied');
    expect(await refused(backups.getObject(`${prefix}-audio`, 'take.mp3'))).toBe('AccessDenied');
    expect(await refused(backups.removeObject(`${prefix}-backups`, 'db.dump'))).toBe('AccessDenied');

    // The pruning job deletes and reads, and cannot write: a stolen prune key cannot plant a set.
    const prune = client(keys.prune);
    const listed: string[] = [];
    for await (const item of prune.listObjectsV2(`${prefix}-backups`, '', true) as AsyncIterable<{ name: string }>)
      listed.push(item.name);
    expect(listed).toEqual(['db.dump']);
    expect(await refused(prune.putObject(`${prefix}-backups`, 'sets/planted/manifest.json', Buffer.from('{}')))).toBe(
      'AccessDenied',
    );
    expect(await refused(prune.removeObject(`${prefix}-audio`, 'take.mp3'))).toBe('AccessDenied');
    await prune.removeObject(`${prefix}-backups`, 'db.dump');
    expect(await refused(backups.getObject(`${prefix}-backups`, 'db.dump'))).toBe('NoSuchKey');
  });

  it('takes a new secret on the next run: the old one stops working', async () => {
    const rotated = randomBytes(16).toString('hex');
    expect(runInit({ MINIO_APP_SECRET_KEY: rotated }).status).toBe(0);
    expect(await refused(client(keys.app).putObject(`${prefix}-audio`, 'old.mp3', Buffer.from('x')))).toMatch(
      /SignatureDoesNotMatch|InvalidAccessKeyId/,
    );
    await client({ accessKey: keys.app.accessKey, secretKey: rotated }).putObject(
      `${prefix}-audio`,
      'new.mp3',
      Buffer.from('x'),
    );
    keys.app.secretKey = rotated;
  });

  it('refuses one key for two jobs', () => {
    const result = runInit({ MINIO_PRUNE_ACCESS_KEY: keys.backups.accessKey });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'MINIO_APP_ACCESS_KEY, MINIO_BACKUP_ACCESS_KEY and MINIO_PRUNE_ACCESS_KEY must all differ',
    );
  });

  it('refuses to hand the root user to the app', () => {
    const result = runInit({ MINIO_APP_ACCESS_KEY: storage.accessKey });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('MINIO_APP_ACCESS_KEY must not be the root user');
  });
});

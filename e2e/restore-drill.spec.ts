import { expect, test } from './support/test';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { emptyBucket } from '@zigznote/playwright-kit';
import { Client } from 'minio';
import { freePort, startRedisServer, type RedisProcess } from '../tests/support/redis-server';
import { verifiedUser } from './support/accounts';
import { emailsTo, waitForEmail } from './support/mailbox';
import { startStandalone, type Started } from './support/standalone';
import { initGarageBuckets } from '../tests/support/garage';

// The app's bucket table, read as data (Playwright's loader takes no JSON module without an import attribute).
const bucketNames = Object.keys(JSON.parse(readFileSync('lib/storage/buckets.json', 'utf8'))).filter(
  (name) => name !== '$comment',
);

// The restore drill through the app, as an operator lives it: a user with a file, a session and an email
// SES has not taken yet; the backup job (backup.mjs, as the image runs it) and the bucket mirror (to Garage);
// then Postgres, Redis and every bucket of the app are destroyed; restore into fresh processes; and in
// Chromium the same user is still signed in, logs in with the same password, downloads the file byte for
// byte, and the owed email is sent once.

const suffix = randomBytes(4).toString('hex');
const prefix = `drill${suffix}`;
const databaseName = `zigznote_e2edrill_${suffix}`;
const mirrorKey = { accessKey: `GK${randomBytes(12).toString('hex')}`, secretKey: randomBytes(32).toString('hex') };
const password = 'correct horse battery';

function drillDatabaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/** Runs a command to completion, failing the test with its output if it fails. */
function run(command: string, args: string[], env: Record<string, string>, cwd = '.'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${output}`)),
    );
  });
}

test.describe('restore drill', () => {
  test('backup and mirror; destroy Postgres, Redis and the buckets; restore: signed in, same password, the file byte for byte, the owed email once', async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${databaseName}`);
    const storage = new Client({
      endPoint: process.env.MINIO_ENDPOINT!,
      port: Number(process.env.MINIO_PORT),
      useSSL: false,
      accessKey: process.env.MINIO_ACCESS_KEY!,
      secretKey: process.env.MINIO_SECRET_KEY!,
    });
    const port = await freePort();
    let redis: RedisProcess = await startRedisServer(await freePort());
    const appEnv = (redisPort: number, extra: Record<string, string> = {}) => ({
      DATABASE_URL: drillDatabaseUrl(),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      MINIO_BUCKET_PREFIX: prefix,
      BACKUP_BUCKET: `${prefix}-backups`,
      RATE_LIMIT_BRIDGE_SECRET: '',
      ...extra,
    });
    const mirrorEnv = {
      MC: process.env.ZZ_MC_BIN!,
      MINIO_BUCKET_PREFIX: prefix,
      MIRROR_URL: `http://127.0.0.1:${process.env.GARAGE_S3_PORT}`,
      MIRROR_ACCESS_KEY: mirrorKey.accessKey,
      MIRROR_SECRET_KEY: mirrorKey.secretKey,
      MIRROR_BUCKET_PREFIX: `${prefix}m`,
    };
    let app: Started | undefined;
    const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
    try {
      // Before: a verified user who uploaded a file, signed in in this browser.
      app = await startStandalone(port, appEnv(redis.port));
      const page = await context.newPage();
      const { email } = await verifiedUser(page, password);
      const content = randomBytes(2 * 1024 * 1024 + 5);
      await page.goto('/files');
      await page
        .locator('input[type="file"]')
        .setInputFiles({ name: 'drill.mp3', mimeType: 'audio/mpeg', buffer: content });
      await expect(page.getByRole('cell', { name: 'drill.mp3', exact: true })).toBeVisible();
      await app.stop();

      // SES is down: the reset email the user was promised waits in the outbox.
      app = await startStandalone(
        port,
        appEnv(redis.port, { AWS_SES_ENDPOINT: `http://127.0.0.1:${await freePort()}` }),
      );
      const forgot = await browser.newPage({ baseURL: app.url });
      await forgot.goto('/auth/forgot-password');
      await forgot.getByLabel('Email').fill(email);
      await forgot.getByRole('button', { name: 'Send reset link' }).click();
      await expect(forgot.getByRole('main').getByRole('status')).toContainText('If an account exists for that address');
      await forgot.close();

      // The backup job as the image runs it, then the buckets to the mirror.
      const backedUp = await run('node', ['backup.mjs', 'backup'], appEnv(redis.port), '.next/standalone');
      const madeAt = Date.now();
      await app.stop();
      app = undefined;
      const init = initGarageBuckets(mirrorKey, `${prefix}m`);
      expect(init.status, init.stderr).toBe(0);
      await run('scripts/mirror-buckets', [], mirrorEnv);
      expect(
        await emailsTo(email).then((emails) => emails.filter((e) => e.subject === 'Reset your password')),
      ).toHaveLength(0);

      // Everything is lost: the database, the Redis process and its data, every bucket of the app.
      await admin.query(`drop database ${databaseName} with (force)`);
      await admin.query(`create database ${databaseName}`);
      await redis.stop();
      redis = await startRedisServer(await freePort());
      for (const name of bucketNames) {
        await emptyBucket(storage, `${prefix}-${name}`);
        await storage.removeBucket(`${prefix}-${name}`);
      }

      // Restore: the buckets from the mirror (the backups bucket with them), then the newest set.
      const started = Date.now();
      await run('scripts/mirror-buckets', ['--restore'], mirrorEnv);
      const sets = (await run('node', ['backup.mjs', 'backup', '--list'], appEnv(redis.port), '.next/standalone'))
        .trim()
        .split('\n');
      expect(sets).toHaveLength(1);
      await run('node', ['backup.mjs', 'restore', sets[0]!], appEnv(redis.port), '.next/standalone');
      const rtoSeconds = (Date.now() - started) / 1000;
      const rpoSeconds = (started - madeAt) / 1000;
      console.log(
        `restore drill (Chromium): ${backedUp.trim()}; RPO ${rpoSeconds.toFixed(1)} s, RTO ${rtoSeconds.toFixed(1)} s (mirror back + restore)`,
      );
      app = await startStandalone(port, appEnv(redis.port));

      // The open browser is still signed in, and its file downloads byte for byte.
      await page.goto('/files');
      await expect(page).toHaveURL(/\/files$/);
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download drill.mp3' }).click();
      const received = await readFile((await (await downloading).path())!);
      expect(createHash('sha256').update(received).digest('hex')).toBe(
        createHash('sha256').update(content).digest('hex'),
      );

      // The same password logs in on another device.
      const other = await browser.newContext({ baseURL: app.url });
      const login = await other.newPage();
      await login.goto('/auth/login');
      await login.getByLabel('Email').fill(email);
      await login.getByLabel('Password').fill(password);
      await login.getByRole('button', { name: 'Log in' }).click();
      await expect(login).toHaveURL(/\/account/);
      await other.close();

      // The email owed before the disaster is sent, once.
      await waitForEmail(email, 'Reset your password');
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect((await emailsTo(email)).filter((e) => e.subject === 'Reset your password')).toHaveLength(1);
    } finally {
      await context.close().catch(() => {});
      await app?.stop();
      await redis.stop();
      await admin.query(`drop database if exists ${databaseName} with (force)`).catch(() => {});
      await admin.end();
    }
  });
});

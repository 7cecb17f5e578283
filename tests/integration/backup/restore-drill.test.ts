// The restore drill: users, a session, a queued email; back up to a bucket on MinIO; destroy Postgres and
// Redis; restore into them; the user logs in with the same password, the session cookie still signs in,
// the email is still owed. Then what a restore refuses: a tampered file, a set from a newer schema.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox } from '@zigznote/email';
import { emptyBucket } from '@zigznote/playwright-kit';
import {
  BackupError,
  backupStatus,
  createBackup,
  knownMigrations,
  listBackups,
  pruneBackups,
  recordBackupFailure,
  restoreBackup,
  type BackupTarget,
} from '@/lib/backup';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { createSession, validateSession } from '@/lib/auth/session';
import { insertUser, findUserByEmailIn } from '@/lib/auth/users';
import { loadConfig } from '@/lib/config';
import { applyPostgresMigrations, migrationsFolder } from '@/lib/db/migrate';
import { RedisKeyValue } from '@/lib/redis';
import { createOperationsClient } from '@/lib/storage';
import { envelopeListener } from '../../support/envelope-listener';
import { freePort, startRedisServer, type RedisProcess } from '../../support/redis-server';

const config = loadConfig(process.env);
const storage = createOperationsClient(config.storage);
const bucket = `drill-backups-${randomUUID().slice(0, 8)}`;
const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
const databaseName = `zigznote_drill_${randomUUID().slice(0, 8)}`;
const drillUrl = (() => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();
let redisServer: RedisProcess;
let redis: Redis;
let target: BackupTarget;

async function migrateDrill() {
  const pool = new pg.Pool({ connectionString: drillUrl, max: 1 });
  try {
    await applyPostgresMigrations(drizzle({ client: pool }));
  } finally {
    await pool.end();
  }
}

async function withDrillDb<T>(work: (db: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: drillUrl, max: 2 });
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

async function emptyAndRemove(name: string) {
  await emptyBucket(storage, name);
  await storage.removeBucket(name).catch(() => {});
}

async function objectsIn(name: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of storage.listObjectsV2(name, '', true) as AsyncIterable<{ name: string }>)
    names.push(item.name);
  return names.sort();
}

async function withBucket<T>(work: (name: string) => Promise<T>): Promise<T> {
  const name = `drill-${randomUUID().slice(0, 8)}`;
  await storage.makeBucket(name, config.storage.region);
  try {
    return await work(name);
  } finally {
    await emptyAndRemove(name);
  }
}

/** scripts/backup as an operator runs it, against the drill's own database and Redis. */
function backupScript(args: string[], env: Record<string, string>) {
  const child = spawn('scripts/backup', args, {
    env: { ...process.env, DATABASE_URL: drillUrl, REDIS_URL: `redis://127.0.0.1:${redisServer.port}`, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function destroyEverything() {
  await admin.query(`drop database ${databaseName} with (force)`);
  await admin.query(`create database ${databaseName}`);
  await redis.flushall();
}

beforeAll(async () => {
  await admin.connect();
  await admin.query(`create database ${databaseName}`);
  await migrateDrill();
  redisServer = await startRedisServer(await freePort());
  redis = new Redis({ port: redisServer.port, host: '127.0.0.1' });
  await storage.makeBucket(bucket, config.storage.region);
  target = { databaseUrl: drillUrl, redis, storage, bucket };
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await redisServer?.stop();
  await admin.query(`drop database if exists ${databaseName} with (force)`).catch(() => {});
  await admin.end();
  await emptyAndRemove(bucket);
});

describe('backup, destroy, restore', () => {
  const email = `drill.${Date.now()}@zigznote.test`;
  const password = 'correct horse battery';
  let token = '';
  let emailId = '';

  it('brings back the account, its password, its session and the email it is owed', { timeout: 120_000 }, async () => {
    const user = await withDrillDb(async (db) => {
      const made = await insertUser(db, { email, name: 'Ada', passwordHash: await hashPassword(password) });
      const queued = await createOutbox({ db }).enqueue(
        {
          from: 'zigznote <no-reply@zigznote.test>',
          to: email,
          subject: 'Verify your email address',
          html: '<p>link</p>',
          text: 'link',
        },
        { template: 'verify-email', idempotencyKey: `drill-${randomUUID()}` },
      );
      emailId = queued.status === 'queued' ? queued.id : '';
      return made!;
    });
    expect(emailId).not.toBe('');
    token = (await createSession(new RedisKeyValue(redis), user.id))!.token;

    const backedUp = await createBackup(target, { appVersion: 'drill' });
    expect(backedUp.manifest.schemaVersion).toBe(await knownMigrations(migrationsFolder()));
    expect(backedUp.manifest.files.map((f) => f.name)).toEqual(['postgres.dump', 'redis.jsonl']);
    expect(await listBackups(storage, bucket)).toEqual([backedUp.set]);

    await destroyEverything();
    expect(await validateSession(new RedisKeyValue(redis), token)).toBeNull();

    const newest = (await listBackups(storage, bucket))[0]!;
    const rpoSeconds = (Date.now() - Date.parse(backedUp.manifest.createdAt)) / 1000;
    const started = performance.now();
    const restored = await restoreBackup(target, newest, {
      migrationsKnown: await knownMigrations(migrationsFolder()),
      migrate: migrateDrill,
    });
    const rtoSeconds = (performance.now() - started) / 1000;
    const bytes = backedUp.manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    console.log(
      `restore drill: RPO ${rpoSeconds.toFixed(1)} s (age of the newest set), RTO ${rtoSeconds.toFixed(2)} s for ${bytes} bytes, ${restored.redisKeys} Redis keys`,
    );

    const back = await withDrillDb((db) => findUserByEmailIn(db, email));
    expect(back).toMatchObject({ id: user.id, name: 'Ada' });
    expect(await verifyPassword(password, back!.passwordHash)).toBe(true);
    expect(await validateSession(new RedisKeyValue(redis), token)).toMatchObject({ userId: user.id });
    expect(await withDrillDb((db) => createOutbox({ db }).status(emailId))).toMatchObject({ status: 'queued' });
  });

  it('refuses a set with a damaged file, naming it, before touching anything', async () => {
    const { set, manifest } = await createBackup(target, { appVersion: 'drill' });
    const dumpBytes = manifest.files.find((f) => f.name === 'postgres.dump')!.bytes;
    await withDrillDb((db) => db.query("update users set name = 'changed after the backup' where email = $1", [email]));
    const damaged = Buffer.from('not a dump');
    await storage.putObject(bucket, `${set}/postgres.dump`, damaged, damaged.length);
    const refused = await restoreBackup(target, set, { migrationsKnown: 99, migrate: migrateDrill }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(BackupError);
    expect((refused as Error).message).toBe(
      `${set}/postgres.dump is 10 bytes, the manifest says ${dumpBytes}: truncated or replaced`,
    );
    expect((await withDrillDb((db) => findUserByEmailIn(db, email)))!.name).toBe('changed after the backup');
  });

  it('refuses a set from a newer schema, and a set without a manifest', async () => {
    const { set, manifest } = await createBackup(target, { appVersion: 'drill' });
    await expect(
      restoreBackup(target, set, { migrationsKnown: manifest.schemaVersion - 1, migrate: migrateDrill }),
    ).rejects.toThrow(
      `comes from a newer schema (${manifest.schemaVersion} migrations; this build knows ${manifest.schemaVersion - 1})`,
    );
    await storage.removeObject(bucket, `${set}/manifest.json`);
    await expect(restoreBackup(target, set, { migrationsKnown: 99, migrate: migrateDrill })).rejects.toThrow(
      'has no manifest.json: it is not a complete backup set',
    );
    expect(await listBackups(storage, bucket)).not.toContain(set);
  });
});

describe('scripts/restore', () => {
  it('refuses a set that is not there, in words, with a failing exit code, and touches nothing', () => {
    const result = spawnSync('scripts/restore', ['sets/not-a-set'], {
      encoding: 'utf8',
      env: { ...process.env, BACKUP_BUCKET: bucket },
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('refused: sets/not-a-set has no manifest.json: it is not a complete backup set');
  });
});

describe('what health and metrics are told about the backups', () => {
  it('no set yet, a current set, a failed run since, a set over 26 hours old', async () => {
    await withBucket(async (empty) => {
      const statusTarget = { ...target, bucket: empty };
      expect(await backupStatus(storage, empty)).toMatchObject({
        ok: false,
        newestSet: null,
        problem: 'no complete backup set yet: run scripts/backup',
      });

      const day = 24 * 3_600_000;
      const old = await createBackup(statusTarget, { appVersion: 'drill', now: new Date(Date.now() - 27 * 3_600_000) });
      expect(await backupStatus(storage, empty)).toMatchObject({
        ok: false,
        newestSet: old.set,
        problem: 'the newest set is 27 hours old (more than 26)',
      });

      const current = await createBackup(statusTarget, { appVersion: 'drill' });
      const fresh = await backupStatus(storage, empty);
      expect(fresh).toMatchObject({ ok: true, newestSet: current.set, failuresSinceNewest: 0, failuresTotal: 0 });
      expect(fresh.newestBytes).toBe(current.manifest.files.reduce((sum, f) => sum + f.bytes, 0));
      expect(fresh.newestAt).toBe(Date.parse(current.manifest.createdAt) / 1000);

      // a failure recorded before the newest set is history; one after it is news
      await recordBackupFailure(storage, empty, 'pg_dump failed', new Date(Date.now() - day));
      expect(await backupStatus(storage, empty)).toMatchObject({ ok: true, failuresSinceNewest: 0, failuresTotal: 1 });
      await recordBackupFailure(storage, empty, 'pg_dump failed', new Date(Date.now() + 1_000));
      expect(await backupStatus(storage, empty)).toMatchObject({
        ok: false,
        failuresSinceNewest: 1,
        failuresTotal: 2,
        problem: '1 backup run(s) failed since the newest set',
      });
    });
  });
});

describe('encrypted sets', () => {
  it(
    'stores ciphertext only, restores with the passphrase, and refuses a wrong or missing one before touching anything',
    { timeout: 60_000 },
    async () => {
      const keyFile = join(tmpdir(), `drill-key-${randomUUID()}`);
      const wrongKeyFile = join(tmpdir(), `drill-key-${randomUUID()}`);
      writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
      writeFileSync(wrongKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
      const email = `drill.encrypted.${Date.now()}@zigznote.test`;
      await withDrillDb(async (db) =>
        insertUser(db, { email, name: 'Before', passwordHash: await hashPassword('correct horse battery') }),
      );
      const options = { migrationsKnown: await knownMigrations(migrationsFolder()), migrate: migrateDrill };

      const { set, manifest } = await createBackup({ ...target, encryptionKeyFile: keyFile }, { appVersion: 'drill' });
      expect(manifest.encryption).toEqual({ scheme: 'openssl-aes-256-cbc-pbkdf2-sha256', iterations: 200_000 });
      expect(manifest.files.map((f) => f.name)).toEqual(['postgres.dump.enc', 'redis.jsonl.enc']);
      const stored = join(tmpdir(), `drill-stored-${randomUUID()}`);
      await storage.fGetObject(bucket, `${set}/postgres.dump.enc`, stored);
      expect(readFileSync(stored).subarray(0, 8).toString()).toBe('Salted__');
      // The README's by-hand recipe opens it without this code.
      const opened = spawnSync('openssl', [
        'enc',
        '-d',
        '-aes-256-cbc',
        '-pbkdf2',
        '-md',
        'sha256',
        '-iter',
        '200000',
        '-pass',
        `file:${keyFile}`,
        '-in',
        stored,
        '-out',
        `${stored}.dump`,
      ]);
      expect(opened.status).toBe(0);
      expect(readFileSync(`${stored}.dump`).subarray(0, 5).toString()).toBe('PGDMP');

      await withDrillDb((db) => db.query("update users set name = 'After' where email = $1", [email]));
      const nameNow = async () => (await withDrillDb((db) => findUserByEmailIn(db, email)))!.name;
      await expect(restoreBackup({ ...target, encryptionKeyFile: wrongKeyFile }, set, options)).rejects.toThrow(
        new RegExp(
          `^${set}/postgres\\.dump\\.enc (cannot be decrypted with the passphrase in BACKUP_ENCRYPTION_KEY_FILE: wrong key\\?|decrypted to something else than was backed up: wrong key, or tampered with)$`,
        ),
      );
      await expect(restoreBackup(target, set, options)).rejects.toThrow(
        `${set} is encrypted: set BACKUP_ENCRYPTION_KEY_FILE to the file holding its passphrase`,
      );
      expect(await nameNow()).toBe('After');

      await restoreBackup({ ...target, encryptionKeyFile: keyFile }, set, options);
      expect(await nameNow()).toBe('Before');
    },
  );
});

describe('pruning', () => {
  it('deletes the sets the retention does not keep and the leftovers of failed runs, never a run in progress', async () => {
    await withBucket(async (pruned) => {
      const day = 86_400_000;
      const now = Date.now();
      const made: string[] = [];
      for (let daysAgo = 9; daysAgo >= 0; daysAgo--) {
        made.push(
          (
            await createBackup(
              { ...target, bucket: pruned },
              { appVersion: 'drill', now: new Date(now - daysAgo * day) },
            )
          ).set,
        );
      }
      const setName = (time: number) => `sets/${new Date(time).toISOString().replace(/[:.]/g, '-')}`;
      const abandoned = setName(now - 2 * day + 1);
      const inProgress = setName(now + 1);
      for (const set of [abandoned, inProgress])
        await storage.putObject(pruned, `${set}/postgres.dump`, Buffer.from('PGDMP'));
      await recordBackupFailure(storage, pruned, 'pg_dump failed', new Date(now - 20 * day));
      await recordBackupFailure(storage, pruned, 'pg_dump failed', new Date(now - 3_600_000));

      const result = await pruneBackups(storage, pruned, { keepDaily: 3, keepWeekly: 0 }, now + 1_000);
      const newestThree = made.slice(-3).reverse();
      expect(result.kept).toEqual(newestThree);
      expect(result.deleted).toEqual([...made.slice(0, -3), abandoned].sort().reverse());
      expect(await listBackups(storage, pruned)).toEqual(newestThree);
      const left = await objectsIn(pruned);
      expect(left.filter((name) => name.startsWith('failures/'))).toHaveLength(1);
      expect(left.filter((name) => name.startsWith('sets/'))).toEqual(
        [
          ...newestThree.flatMap((set) =>
            ['manifest.json', 'postgres.dump', 'redis.jsonl'].map((file) => `${set}/${file}`),
          ),
          `${inProgress}/postgres.dump`,
        ].sort(),
      );
      // Pruning again changes nothing.
      expect((await pruneBackups(storage, pruned, { keepDaily: 3, keepWeekly: 0 }, now + 1_000)).deleted).toEqual([]);
    });
  });
});

describe('scripts/backup as the compose services run it', () => {
  it(
    '--schedule makes a set at each tick until SIGTERM and exits 0; --prune then keeps what the retention says',
    { timeout: 60_000 },
    async () => {
      await withBucket(async (scheduled) => {
        const job = backupScript(['--schedule'], { BACKUP_BUCKET: scheduled, BACKUP_SCHEDULE: '*/2 * * * * *' });
        await expect
          .poll(async () => (await listBackups(storage, scheduled)).length, { timeout: 30_000, interval: 250 })
          .toBeGreaterThanOrEqual(3);
        job.child.kill('SIGTERM');
        expect(await job.exited, job.output().stderr).toBe(0);
        expect(job.output().stdout).toMatch(/^backup on "\*\/2 \* \* \* \* \*" \(UTC\); next at \d{4}-/);
        expect(job.output().stdout).toContain('backup: stopped');
        const sets = await listBackups(storage, scheduled);

        const prune = backupScript(['--prune'], {
          BACKUP_BUCKET: scheduled,
          BACKUP_KEEP_DAILY: '1',
          BACKUP_KEEP_WEEKLY: '0',
        });
        expect(await prune.exited, prune.output().stderr).toBe(0);
        expect(prune.output().stdout).toContain(`kept 1 set(s)`);
        expect(prune.output().stdout).toContain(`deleted ${sets.length - 1}: `);
        expect(await listBackups(storage, scheduled)).toEqual([sets[0]]);
      });
    },
  );

  it(
    'a failed run exits 1, leaves the marker health reads, and reaches error tracking',
    { timeout: 60_000 },
    async () => {
      const listener = await envelopeListener();
      try {
        await withBucket(async (failing) => {
          const missing = new URL(drillUrl);
          missing.pathname = '/zigznote_drill_no_such_database';
          const job = backupScript([], {
            BACKUP_BUCKET: failing,
            DATABASE_URL: missing.toString(),
            SENTRY_DSN: listener.dsn,
          });
          expect(await job.exited).toBe(1);
          expect(job.output().stderr.trim()).toMatch(/^failed: .*zigznote_drill_no_such_database.* does not exist$/);
          expect(await backupStatus(storage, failing)).toMatchObject({ ok: false, failuresTotal: 1, newestSet: null });
          const event = listener.bodies.find((body) => body.includes('zigznote_drill_no_such_database'));
          expect(event).toBeDefined();
          expect(event).toContain('"job":"backup"');
        });
      } finally {
        await listener.close();
      }
    },
  );
});

// The restore drill: users, a session, a queued email; back up to a bucket on MinIO; destroy Postgres and
// Redis; restore into them; the user logs in with the same password, the session cookie still signs in,
// the email is still owed. Then what a restore refuses: a tampered file, a set from a newer schema.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox } from '@zigznote/email';
import { BackupError, backupStatus, createBackup, knownMigrations, listBackups, recordBackupFailure, restoreBackup, type BackupTarget } from '@/lib/backup';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { createSession, validateSession } from '@/lib/auth/session';
import { insertUser, findUserByEmailIn } from '@/lib/auth/users';
import { loadConfig } from '@/lib/config';
import { migrationsFolder } from '@/lib/db/migrate';
import { RedisKeyValue } from '@/lib/redis';
import { createOperationsClient } from '@/lib/storage';
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
    await migrate(drizzle({ client: pool }), { migrationsFolder: migrationsFolder() });
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
  const names: string[] = [];
  for await (const item of storage.listObjectsV2(bucket, '', true) as AsyncIterable<{ name: string }>) names.push(item.name);
  if (names.length > 0) await storage.removeObjects(bucket, names);
  await storage.removeBucket(bucket).catch(() => {});
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
        { from: 'zigznote <no-reply@zigznote.test>', to: email, subject: 'Verify your email address', html: '<p>link</p>', text: 'link' },
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
    const restored = await restoreBackup(target, newest, { migrationsKnown: await knownMigrations(migrationsFolder()), migrate: migrateDrill });
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
    const refused = await restoreBackup(target, set, { migrationsKnown: 99, migrate: migrateDrill }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BackupError);
    expect((refused as Error).message).toBe(`${set}/postgres.dump is 10 bytes, the manifest says ${dumpBytes}: truncated or replaced`);
    expect((await withDrillDb((db) => findUserByEmailIn(db, email)))!.name).toBe('changed after the backup');
  });

  it('refuses a set from a newer schema, and a set without a manifest', async () => {
    const { set, manifest } = await createBackup(target, { appVersion: 'drill' });
    await expect(restoreBackup(target, set, { migrationsKnown: manifest.schemaVersion - 1, migrate: migrateDrill })).rejects.toThrow(
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
    const result = spawnSync('scripts/restore', ['sets/not-a-set'], { encoding: 'utf8', env: { ...process.env, BACKUP_BUCKET: bucket } });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('refused: sets/not-a-set has no manifest.json: it is not a complete backup set');
  });
});

describe('what health and metrics are told about the backups', () => {
  it('no set yet, a current set, a failed run since, a set over 26 hours old', async () => {
    const empty = `drill-status-${randomUUID().slice(0, 8)}`;
    await storage.makeBucket(empty, config.storage.region);
    const statusTarget = { ...target, bucket: empty };
    try {
      expect(await backupStatus(storage, empty)).toMatchObject({ ok: false, newestSet: null, problem: 'no complete backup set yet: run scripts/backup' });

      const day = 24 * 3_600_000;
      const old = await createBackup(statusTarget, { appVersion: 'drill', now: new Date(Date.now() - 27 * 3_600_000) });
      expect(await backupStatus(storage, empty)).toMatchObject({ ok: false, newestSet: old.set, problem: 'the newest set is 27 hours old (more than 26)' });

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
    } finally {
      const names: string[] = [];
      for await (const item of storage.listObjectsV2(empty, '', true) as AsyncIterable<{ name: string }>) names.push(item.name);
      if (names.length > 0) await storage.removeObjects(empty, names);
      await storage.removeBucket(empty);
    }
  });
});

/**
 * Backups and restore of what the app keeps: a consistent Postgres dump (pg_dump's custom format, one
 * snapshot), every Redis key with its remaining life (DUMP/PTTL: sessions, tokens, limits, the cache), and
 * a manifest (sizes, SHA-256, app and schema version) written last, so a set without one is not a set.
 * A restore reads the manifest, checks every file's size and hash and the schema version before it touches
 * anything, then restores Postgres (pg_restore --clean) and Redis (RESTORE … REPLACE) and runs the
 * migrations. Sets go to a bucket under `sets/<time>/`. Optionally each file is encrypted with a
 * passphrase the operator keeps (OpenSSL, so a set can be opened by hand without this code). Pruning keeps
 * the newest set per day and per week and deletes the rest. Node-only; needs pg_dump, pg_restore, openssl.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import type { Client as StorageClient } from 'minio';
import type { RedisConnection } from '../redis';

export const MANIFEST = 'manifest.json';
const DATABASE_FILE = 'postgres.dump';
const REDIS_FILE = 'redis.jsonl';
const FORMAT = 1;

/** `openssl enc` settings, written into each encrypted set's manifest so a later version can still open it. */
const ENCRYPTION = { scheme: 'openssl-aes-256-cbc-pbkdf2-sha256', iterations: 200_000 } as const;

export interface BackupTarget {
  /** Postgres to dump or restore into (a URL pg_dump understands). */
  databaseUrl: string;
  redis: RedisConnection;
  storage: StorageClient;
  bucket: string;
  /** A file holding the passphrase sets are encrypted with; unset: sets are not encrypted. */
  encryptionKeyFile?: string;
}

export interface Manifest {
  format: number;
  createdAt: string;
  appVersion: string;
  /** How many of the app's migrations the database had applied. */
  schemaVersion: number;
  /** Sizes and hashes are of the stored (encrypted) file; `plainSha256` checks what decryption gave back. */
  files: Array<{ name: string; bytes: number; sha256: string; plainSha256?: string }>;
  encryption?: { scheme: string; iterations: number };
}

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

function run(command: string, args: string[], notFound = 'install the PostgreSQL client'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', (error) =>
      reject(new BackupError(`${command} could not start (${error.message}): ${notFound}`)),
    );
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new BackupError(`${command} failed (exit ${code}): ${errors.trim().slice(0, 500)}`)),
    );
  });
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function openssl(
  direction: '-e' | '-d',
  keyFile: string,
  input: string,
  output: string,
  iterations: number,
): Promise<void> {
  const args = ['enc', direction, '-aes-256-cbc', '-pbkdf2', '-md', 'sha256', '-iter', String(iterations), '-salt'];
  return run('openssl', [...args, '-pass', `file:${keyFile}`, '-in', input, '-out', output], 'install openssl');
}

async function schemaVersionOf(databaseUrl: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "select case when to_regclass('drizzle.__drizzle_migrations') is null then 0 else (select count(*)::int from drizzle.__drizzle_migrations) end as n",
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Every key with its remaining life, one JSON line each (base64 name and DUMP payload). */
async function exportRedis(redis: RedisConnection, path: string): Promise<void> {
  const out = createWriteStream(path);
  // A Cluster is scanned master by master; DUMP and PTTL go through the cluster client, which routes them.
  const scanned = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of scanned) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scanBuffer(cursor, 'COUNT', 500);
      cursor = String(next);
      for (const key of keys) {
        const [dumped, ttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
        if (!dumped || ttl === -2) continue;
        out.write(`${JSON.stringify({ k: key.toString('base64'), t: ttl, v: dumped.toString('base64') })}\n`);
      }
    } while (cursor !== '0');
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function importRedis(redis: RedisConnection, path: string): Promise<number> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
  for (const line of lines) {
    const { k, t, v } = JSON.parse(line) as { k: string; t: number; v: string };
    await redis.restore(Buffer.from(k, 'base64'), t > 0 ? t : 0, Buffer.from(v, 'base64'), 'REPLACE');
  }
  return lines.length;
}

/** Makes one set and uploads it; the manifest goes last. Returns the set's name (`sets/<time>`). */
export async function createBackup(
  target: BackupTarget,
  options: { appVersion: string; now?: Date },
): Promise<{ set: string; manifest: Manifest }> {
  const dir = await mkdtemp(join(tmpdir(), 'zz-backup-'));
  try {
    const createdAt = (options.now ?? new Date()).toISOString();
    const set = `sets/${createdAt.replace(/[:.]/g, '-')}`;
    const schemaVersion = await schemaVersionOf(target.databaseUrl);
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${join(dir, DATABASE_FILE)}`, target.databaseUrl]);
    await exportRedis(target.redis, join(dir, REDIS_FILE));
    const files: Manifest['files'] = [];
    for (const plain of [DATABASE_FILE, REDIS_FILE]) {
      let name = plain;
      let plainSha256: string | undefined;
      if (target.encryptionKeyFile) {
        plainSha256 = await sha256Of(join(dir, plain));
        name = `${plain}.enc`;
        await openssl('-e', target.encryptionKeyFile, join(dir, plain), join(dir, name), ENCRYPTION.iterations);
      }
      const path = join(dir, name);
      files.push({
        name,
        bytes: (await stat(path)).size,
        sha256: await sha256Of(path),
        ...(plainSha256 ? { plainSha256 } : {}),
      });
      await target.storage.fPutObject(target.bucket, `${set}/${name}`, path);
    }
    const manifest: Manifest = {
      format: FORMAT,
      createdAt,
      appVersion: options.appVersion,
      schemaVersion,
      files,
      ...(target.encryptionKeyFile ? { encryption: { ...ENCRYPTION } } : {}),
    };
    await writeFile(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
    await target.storage.fPutObject(target.bucket, `${set}/${MANIFEST}`, join(dir, MANIFEST), {
      'Content-Type': 'application/json',
    });
    return { set, manifest };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The complete sets in the bucket (those with a manifest), newest first. */
export async function listBackups(storage: StorageClient, bucket: string): Promise<string[]> {
  const sets: string[] = [];
  const stream = storage.listObjectsV2(bucket, 'sets/', true);
  for await (const item of stream as AsyncIterable<{ name?: string }>) {
    if (item.name?.endsWith(`/${MANIFEST}`)) sets.push(item.name.slice(0, -MANIFEST.length - 1));
  }
  return sets.sort().reverse();
}

/**
 * Restores `set` into the target. Nothing is touched until every file matches the manifest and the set's
 * schema is not newer than this build's (`migrationsKnown`); then Postgres, Redis, and `migrate`.
 */
export async function restoreBackup(
  target: BackupTarget,
  set: string,
  options: { migrationsKnown: number; migrate: () => Promise<void> },
): Promise<{ manifest: Manifest; redisKeys: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'zz-restore-'));
  try {
    const manifestPath = join(dir, MANIFEST);
    await target.storage.fGetObject(target.bucket, `${set}/${MANIFEST}`, manifestPath).catch(() => {
      throw new BackupError(`${set} has no ${MANIFEST}: it is not a complete backup set`);
    });
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
    if (manifest.format !== FORMAT)
      throw new BackupError(`${set}: manifest format ${manifest.format} is not one this version reads (${FORMAT})`);
    if (manifest.schemaVersion > options.migrationsKnown) {
      throw new BackupError(
        `${set} comes from a newer schema (${manifest.schemaVersion} migrations; this build knows ${options.migrationsKnown}): restore it with the version that made it`,
      );
    }
    for (const file of manifest.files) {
      const path = join(dir, file.name);
      await target.storage.fGetObject(target.bucket, `${set}/${file.name}`, path).catch(() => {
        throw new BackupError(`${set}/${file.name} is missing`);
      });
      const bytes = (await stat(path)).size;
      if (bytes !== file.bytes)
        throw new BackupError(
          `${set}/${file.name} is ${bytes} bytes, the manifest says ${file.bytes}: truncated or replaced`,
        );
      if ((await sha256Of(path)) !== file.sha256)
        throw new BackupError(
          `${set}/${file.name} does not match its SHA-256 in the manifest: damaged or tampered with`,
        );
    }
    if (manifest.encryption) await decryptSet(set, manifest, dir, target.encryptionKeyFile);
    await run('pg_restore', [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--single-transaction',
      `--dbname=${target.databaseUrl}`,
      join(dir, DATABASE_FILE),
    ]);
    const redisKeys = await importRedis(target.redis, join(dir, REDIS_FILE));
    await options.migrate();
    return { manifest, redisKeys };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function decryptSet(set: string, manifest: Manifest, dir: string, keyFile: string | undefined): Promise<void> {
  if (!keyFile)
    throw new BackupError(`${set} is encrypted: set BACKUP_ENCRYPTION_KEY_FILE to the file holding its passphrase`);
  if (manifest.encryption!.scheme !== ENCRYPTION.scheme)
    throw new BackupError(`${set} is encrypted with ${manifest.encryption!.scheme}, which this version cannot open`);
  for (const file of manifest.files) {
    const plain = file.name.replace(/\.enc$/, '');
    await openssl('-d', keyFile, join(dir, file.name), join(dir, plain), manifest.encryption!.iterations).catch(() => {
      throw new BackupError(
        `${set}/${file.name} cannot be decrypted with the passphrase in BACKUP_ENCRYPTION_KEY_FILE: wrong key?`,
      );
    });
    // CBC carries no tag: a wrong key can still decrypt to garbage, which the plaintext's hash catches.
    if ((await sha256Of(join(dir, plain))) !== file.plainSha256) {
      throw new BackupError(
        `${set}/${file.name} decrypted to something else than was backed up: wrong key, or tampered with`,
      );
    }
  }
}

/** How many migrations this build carries (Drizzle's journal). */
export async function knownMigrations(migrationsFolder: string): Promise<number> {
  const journal = JSON.parse(await readFile(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** Where a run that failed leaves word of it (`failures/<time>.json`), for health and metrics to see. */
export async function recordBackupFailure(
  storage: StorageClient,
  bucket: string,
  error: string,
  now = new Date(),
): Promise<void> {
  const body = Buffer.from(JSON.stringify({ at: now.toISOString(), error: error.slice(0, 500) }));
  await storage.putObject(bucket, `failures/${now.toISOString().replace(/[:.]/g, '-')}.json`, body, body.length, {
    'Content-Type': 'application/json',
  });
}

/** A set older than this, or a failed run since the newest set, is worth a page to the operator. */
export const BACKUP_STALE_AFTER_HOURS = 26;

export interface BackupStatus {
  ok: boolean;
  newestSet: string | null;
  /** Seconds since the epoch when the newest complete set was made. */
  newestAt: number | null;
  newestBytes: number;
  /** Failed runs recorded after the newest set was made. */
  failuresSinceNewest: number;
  failuresTotal: number;
  problem?: string;
}

function timeOfName(name: string): number {
  const stamp = /(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)/.exec(name)?.[1];
  if (!stamp) return Number.NaN;
  return Date.parse(stamp.replace(/T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/, 'T$1:$2:$3.$4Z'));
}

/** What the backups bucket says about the backups: the newest set, its size and age, failed runs since. */
export async function backupStatus(storage: StorageClient, bucket: string, now = Date.now()): Promise<BackupStatus> {
  const [newestSet] = await listBackups(storage, bucket);
  const failures: number[] = [];
  for await (const item of storage.listObjectsV2(bucket, 'failures/', true) as AsyncIterable<{ name?: string }>) {
    if (item.name) failures.push(timeOfName(item.name));
  }
  let newestAt: number | null = null;
  let newestBytes = 0;
  if (newestSet) {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.getObject(bucket, `${newestSet}/${MANIFEST}`)) chunks.push(chunk as Buffer);
    const manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Manifest;
    newestAt = Date.parse(manifest.createdAt) / 1000;
    newestBytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  }
  const failuresSinceNewest = failures.filter((at) => newestAt === null || at / 1000 > newestAt).length;
  const ageHours = newestAt === null ? null : (now / 1000 - newestAt) / 3600;
  const problem =
    newestAt === null
      ? 'no complete backup set yet: run scripts/backup'
      : failuresSinceNewest > 0
        ? `${failuresSinceNewest} backup run(s) failed since the newest set`
        : ageHours! > BACKUP_STALE_AFTER_HOURS
          ? `the newest set is ${Math.floor(ageHours!)} hours old (more than ${BACKUP_STALE_AFTER_HOURS})`
          : undefined;
  return {
    ok: problem === undefined,
    newestSet: newestSet ?? null,
    newestAt,
    newestBytes,
    failuresSinceNewest,
    failuresTotal: failures.length,
    ...(problem ? { problem } : {}),
  };
}

export interface Retention {
  /** The newest set of each of the last `keepDaily` days that have a set (UTC days). */
  keepDaily: number;
  /** The newest set of each of the last `keepWeekly` weeks that have a set (ISO weeks, from Monday, UTC). */
  keepWeekly: number;
}

function weekOf(time: number): string {
  const day = new Date(time);
  const monday =
    Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) - ((day.getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday).toISOString().slice(0, 10);
}

/** Which of `sets` (names with their time) a retention keeps; the newest set is always kept. */
export function setsToKeep(sets: string[], retention: Retention): Set<string> {
  const newestFirst = [...sets]
    .filter((set) => !Number.isNaN(timeOfName(set)))
    .sort((a, b) => timeOfName(b) - timeOfName(a));
  const keep = new Set<string>(newestFirst.slice(0, 1));
  const pick = (bucketOf: (time: number) => string, count: number) => {
    const seen = new Set<string>();
    for (const set of newestFirst) {
      const period = bucketOf(timeOfName(set));
      if (seen.has(period)) continue;
      if (seen.size === count) break;
      seen.add(period);
      keep.add(set);
    }
  };
  pick((time) => new Date(time).toISOString().slice(0, 10), retention.keepDaily);
  pick(weekOf, retention.keepWeekly);
  return keep;
}

/** removeObjects reports refusals per object instead of throwing: they are errors here. */
async function removeAll(storage: StorageClient, bucket: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const refused = (await storage.removeObjects(bucket, names)).find((result) => result?.Error);
  if (refused?.Error)
    throw new BackupError(
      `${bucket}/${refused.Error.Key ?? ''} could not be deleted: ${refused.Error.Code ?? refused.Error.Message ?? 'refused'}`,
    );
}

/** An incomplete set (no manifest) this old is the leftover of a run that failed, not one in progress. */
const ABANDONED_AFTER_MS = 24 * 3_600_000;

/**
 * Deletes the sets a retention does not keep, the leftovers of runs that failed over a day ago, and failure
 * markers older than the oldest set kept. A set's manifest goes first, so a set half deleted (the process
 * died) is no longer listed as complete. Needs a key that may delete (the backup key may not).
 */
export async function pruneBackups(
  storage: StorageClient,
  bucket: string,
  retention: Retention,
  now = Date.now(),
): Promise<{ kept: string[]; deleted: string[] }> {
  const objects = new Map<string, string[]>();
  const failures: string[] = [];
  for await (const item of storage.listObjectsV2(bucket, '', true) as AsyncIterable<{ name?: string }>) {
    const name = item.name ?? '';
    const set = /^(sets\/[^/]+)\//.exec(name)?.[1];
    if (set) objects.set(set, [...(objects.get(set) ?? []), name]);
    else if (name.startsWith('failures/')) failures.push(name);
  }
  const complete = [...objects]
    .filter(([, names]) => names.some((name) => name.endsWith(`/${MANIFEST}`)))
    .map(([set]) => set);
  const keep = setsToKeep(complete, retention);
  const deleted: string[] = [];
  for (const [set, names] of objects) {
    if (keep.has(set)) continue;
    const isComplete = complete.includes(set);
    if (!isComplete && !(now - timeOfName(set) > ABANDONED_AFTER_MS)) continue;
    const manifestFirst = [...names].sort(
      (a, b) => Number(b.endsWith(`/${MANIFEST}`)) - Number(a.endsWith(`/${MANIFEST}`)),
    );
    if (isComplete) await storage.removeObject(bucket, manifestFirst[0]!);
    await removeAll(storage, bucket, isComplete ? manifestFirst.slice(1) : manifestFirst);
    deleted.push(set);
  }
  const oldestKept = Math.min(...[...keep].map(timeOfName));
  const staleFailures = failures.filter((name) => timeOfName(name) < oldestKept);
  await removeAll(storage, bucket, staleFailures);
  return { kept: [...keep].sort().reverse(), deleted: deleted.sort().reverse() };
}

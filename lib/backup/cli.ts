/**
 * scripts/backup and scripts/restore: the app's own configuration (DATABASE_URL, REDIS_URL, MINIO_*,
 * BACKUP_BUCKET) pointed at lib/backup. `backup` makes a set now; `backup --list` lists the complete sets;
 * `restore <set>` restores one (after checking it) and runs the migrations. Node-only.
 */
import { loadConfig } from '../config';
import { migrateDatabase } from '../db';
import { migrationsFolder } from '../db/migrate';
import { closeDatabase } from '../db';
import { closeRedis, getRedis } from '../redis';
import { createOperationsClient } from '../storage';
import { BackupError, createBackup, knownMigrations, listBackups, recordBackupFailure, restoreBackup, type BackupTarget } from './index';

async function main(argv: string[]): Promise<number> {
  const config = loadConfig(process.env);
  if (config.database.kind !== 'postgres' || config.redis.kind === 'memory') {
    console.error('backups need DATABASE_URL and REDIS_URL: the development stand-ins keep nothing worth backing up');
    return 2;
  }
  const storage = createOperationsClient(config.storage);
  const bucket = config.backupBucket;
  const target: BackupTarget = { databaseUrl: config.database.url, redis: getRedis(config.redis), storage, bucket };
  const [command, argument] = argv;
  if (command === 'backup' && argument === '--list') {
    for (const set of await listBackups(storage, bucket)) console.log(set);
    return 0;
  }
  if (command === 'backup') {
    if (!(await storage.bucketExists(bucket))) await storage.makeBucket(bucket, config.storage.region);
    const started = Date.now();
    const { set, manifest } = await createBackup(target, { appVersion: process.env.npm_package_version ?? 'unknown' }).catch(async (error: unknown) => {
      // Health and metrics read this: a run that failed is seen by the operator, not only in a cron log.
      await recordBackupFailure(storage, bucket, error instanceof Error ? error.message : String(error)).catch(() => {});
      throw error;
    });
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    console.log(`backed up to ${bucket}/${set}: ${bytes} bytes, schema ${manifest.schemaVersion}, in ${Date.now() - started} ms`);
    return 0;
  }
  if (command === 'restore' && argument) {
    const started = Date.now();
    const { manifest, redisKeys } = await restoreBackup(target, argument, {
      migrationsKnown: await knownMigrations(migrationsFolder()),
      migrate: () => migrateDatabase(config.database),
    });
    console.log(`restored ${argument} (made ${manifest.createdAt}): Postgres, ${redisKeys} Redis keys, migrations applied, in ${Date.now() - started} ms`);
    return 0;
  }
  console.error('usage: scripts/backup [--list] | scripts/restore sets/<time>');
  return 2;
}

main(process.argv.slice(2))
  .then(async (code) => {
    await closeRedis();
    await closeDatabase();
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(error instanceof BackupError ? `refused: ${error.message}` : `failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });

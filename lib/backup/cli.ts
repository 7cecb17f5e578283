/**
 * scripts/backup and scripts/restore: the app's own configuration (DATABASE_URL, REDIS_URL, MINIO_*,
 * BACKUP_*) pointed at lib/backup. `backup` makes a set now; `--prune` deletes what the retention does not
 * keep; `--schedule` does either on BACKUP_SCHEDULE until SIGTERM; `--list` lists the complete sets;
 * `restore <set>` restores one (after checking it) and runs the migrations. Node-only.
 */
import { writeFileSync } from 'node:fs';
import { Cron } from 'croner';
import { loadConfig, type AppConfig } from '../config';
import { closeDatabase, migrateDatabase } from '../db';
import { migrationsFolder } from '../db';
import { reportJobFailure } from '../observability';
import { closeRedis, getRedis } from '../redis';
import { createOperationsClient } from '../storage';
import * as backups from './index';

const USAGE = 'usage: scripts/backup [--prune] [--schedule] | scripts/backup --list | scripts/restore sets/<time>';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function backupNow(config: AppConfig, target: backups.BackupTarget): Promise<void> {
  const started = Date.now();
  try {
    if (!(await target.storage.bucketExists(target.bucket)))
      await target.storage.makeBucket(target.bucket, config.storage.region);
    const { set, manifest } = await backups.createBackup(target, {
      appVersion: process.env.npm_package_version ?? 'unknown',
    });
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    console.log(
      `backed up to ${target.bucket}/${set}: ${bytes} bytes${manifest.encryption ? ', encrypted' : ''}, schema ${manifest.schemaVersion}, in ${Date.now() - started} ms`,
    );
  } catch (error) {
    // Seen by the operator, not only in a cron log: health and metrics read the marker, GlitchTip gets the event.
    await backups.recordBackupFailure(target.storage, target.bucket, messageOf(error)).catch(() => {});
    await reportJobFailure(config.sentryDsn, config.env, 'backup', error).catch(() => {});
    throw error;
  }
}

async function pruneNow(config: AppConfig, target: backups.BackupTarget): Promise<void> {
  const { kept, deleted } = await backups.pruneBackups(target.storage, target.bucket, config.backupRetention);
  console.log(
    `pruned ${target.bucket}: kept ${kept.length} set(s) (newest per day for ${config.backupRetention.keepDaily} days, per week for ${config.backupRetention.keepWeekly} weeks), deleted ${deleted.length}${deleted.length ? `: ${deleted.join(', ')}` : ''}`,
  );
}

/**
 * Runs `job` on the schedule until SIGTERM/SIGINT; a run in progress finishes first. A failed run is logged,
 * and the next one still happens. /tmp/zigznote-<name>.alive is touched every minute for the container's
 * health check.
 */
function onSchedule(pattern: string, name: string, job: () => Promise<void>): Promise<number> {
  const heartbeat = () => writeFileSync(`/tmp/zigznote-${name}.alive`, new Date().toISOString());
  heartbeat();
  const beating = setInterval(heartbeat, 60_000);
  return new Promise((resolve) => {
    let running: Promise<void> = Promise.resolve();
    const cron = new Cron(pattern, { timezone: 'UTC', protect: true }, () => {
      running = job().catch((error: unknown) => console.error(`${name} failed: ${messageOf(error)}`));
      return running;
    });
    console.log(`${name} on "${pattern}" (UTC); next at ${cron.nextRun()?.toISOString()}`);
    const stop = () => {
      cron.stop();
      clearInterval(beating);
      void running.then(() => {
        console.log(`${name}: stopped`);
        resolve(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

async function main(argv: string[]): Promise<number> {
  const config = loadConfig(process.env);
  if (config.database.kind !== 'postgres' || config.redis.kind === 'memory') {
    console.error('backups need DATABASE_URL and REDIS_URL: the development stand-ins keep nothing worth backing up');
    return 2;
  }
  const storage = createOperationsClient(config.storage);
  const target: backups.BackupTarget = {
    databaseUrl: config.database.url,
    redis: getRedis(config.redis),
    storage,
    bucket: config.backupBucket,
    encryptionKeyFile: config.backupEncryptionKeyFile,
  };
  const [command, ...flags] = argv;
  const unknown = flags.filter((flag) => !['--prune', '--schedule', '--list'].includes(flag));
  if (command === 'backup' && unknown.length === 0) {
    if (flags.includes('--list')) {
      for (const set of await backups.listBackups(storage, target.bucket)) console.log(set);
      return 0;
    }
    const job = flags.includes('--prune') ? () => pruneNow(config, target) : () => backupNow(config, target);
    if (flags.includes('--schedule'))
      return onSchedule(config.backupSchedule, flags.includes('--prune') ? 'prune' : 'backup', job);
    await job();
    return 0;
  }
  if (command === 'restore' && flags.length === 1) {
    const started = Date.now();
    const { manifest, redisKeys } = await backups.restoreBackup(target, flags[0]!, {
      migrationsKnown: await backups.knownMigrations(migrationsFolder()),
      migrate: () => migrateDatabase(config.database),
    });
    console.log(
      `restored ${flags[0]} (made ${manifest.createdAt}): Postgres, ${redisKeys} Redis keys, migrations applied, in ${Date.now() - started} ms`,
    );
    return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2))
  .then(async (code) => {
    await closeRedis();
    await closeDatabase();
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(error instanceof backups.BackupError ? `refused: ${error.message}` : `failed: ${messageOf(error)}`);
    process.exit(1);
  });

/**
 * Start-up work for the Node server, called once from instrumentation.ts before requests are served:
 * validate configuration (stop with one clear message if it is wrong) and say which backing service
 * each concern uses, stand-ins included. Node-only.
 */
import { ConfigError, getConfig, type AppConfig } from '../config';
import { closeDatabase, migrateDatabase } from '../db';
import {
  getStorageDeps,
  setUpConfiguredBuckets,
  missingGuarantees,
  storageBackend,
  sweepStaleUploads,
  sweepUnclaimedObjects,
  verifyStorageGuarantees,
} from '../storage';
import { initServerErrorTracking } from '../observability';
import { startEmailOutbox, startSesAccountWatch, stopEmailOutbox, stopSesAccountWatch } from '../email';
import { installGracefulShutdown } from '../runtime';
import { closeRedis } from '../redis';
import { sweepEmailRequests } from '../auth';
import { installPeerStamp } from '../rate-limit';
import { rateLimitSettingProblems } from '../rate-limit';
import { installAppCacheHandlers } from '../cache';
import { backoffMs, sleep } from '../runtime';

export function describeServices(config: AppConfig): string[] {
  const standIn = '(stand-in for development)';
  return [
    config.database.kind === 'postgres'
      ? `database: Postgres at ${safeHost(config.database.url)}`
      : `database: embedded PGlite in ${config.database.dir} ${standIn}; set DATABASE_URL for Postgres`,
    describeRedis(config.redis),
    `storage:  ${storageBackend(config.storage.backend).label} at ${config.storage.endPoint}:${config.storage.port}, browsers use ${config.storage.publicUrl}`,
    config.email.endpoint
      ? `email:    SES endpoint ${config.email.endpoint}`
      : `email:    AWS SES in ${config.email.region}`,
  ];
}

function describeRedis(redis: AppConfig['redis']): string {
  switch (redis.kind) {
    case 'redis':
      return `redis:    Redis at ${safeHost(redis.url)}`;
    case 'cluster':
      return `redis:    Redis Cluster via ${redis.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
    case 'sentinel':
      return `redis:    Redis primary "${redis.name}" via Sentinel ${redis.sentinels.map((n) => `${n.host}:${n.port}`).join(', ')}`;
    case 'memory':
      return 'redis:    in-process store (stand-in for development); set REDIS_URL for Redis';
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparseable URL';
  }
}

const SWEEP_INTERVAL_MS = 2 * 60 * 1000;
const BACKSTOP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Every two minutes, expire abandoned uploads and remove what ended ones stored; every hour, remove
 * objects under a user prefix that no row claims.
 */
function scheduleUploadSweeps() {
  const run = (what: string, sweep: () => Promise<number>) => async () => {
    try {
      const removed = await sweep();
      if (removed > 0) console.log(`[zigznote] ${what}: ${removed}`);
    } catch (error) {
      console.error(`[zigznote] ${what} failed: ${error instanceof Error ? error.name : 'error'}`);
    }
  };
  setInterval(
    run('expired uploads', async () => sweepStaleUploads(await getStorageDeps())),
    SWEEP_INTERVAL_MS,
  ).unref();
  setInterval(
    run('unclaimed objects removed', async () => sweepUnclaimedObjects(await getStorageDeps())),
    BACKSTOP_INTERVAL_MS,
  ).unref();
}

/** Retries start-up work while a service is still starting; gives up with one clear line after ~30 s. */
async function withRetries(what: string, work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/\/\/[^@/\s]*@/g, '//***@') : String(error);
      if (Date.now() > deadline) {
        console.error(`[zigznote] ${what} failed: ${reason}`);
        process.exit(1);
      }
      await sleep(backoffMs(attempt + 1, 250, 3_000));
    }
  }
}

/**
 * The storage server must refuse what the app's upload policies forbid: in production a server that
 * does not (a fake, a misconfigured proxy) stops the start with the guarantee it breaks; in development
 * it is a warning, since the zero-configuration stand-in cannot keep them.
 */
async function checkGuaranteesAtStart(config: AppConfig): Promise<void> {
  const label = storageBackend(config.storage.backend).label;
  try {
    const report = await verifyStorageGuarantees();
    const missing = missingGuarantees(report);
    if (missing.length === 0) {
      console.log(`[zigznote] storage:  ${label} keeps all ${report.guarantees.length} guarantees the app relies on`);
      return;
    }
    const message = `the storage server (${label} at ${config.storage.endPoint}:${config.storage.port}) breaks guarantees the app relies on:\n${missing.map((line) => `  - ${line}`).join('\n')}`;
    if (config.isProduction) {
      console.error(`\n[zigznote] refusing to start: ${message}\n`);
      process.exit(1);
    }
    console.warn(`[zigznote] WARNING: ${message}`);
  } catch (error) {
    console.error(
      `[zigznote] storage guarantees not checked (${error instanceof Error ? error.message : 'error'}); /api/health checks them again`,
    );
  }
}

const EMAIL_REQUEST_SWEEP_MS = 10_000;

/**
 * At start and every 10 s: the emails of sign-ups, resets and unlocks that a process answered and then
 * died before making (their rows are committed before the answer).
 */
function scheduleEmailRequestSweep() {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const made = await sweepEmailRequests();
      if (made > 0) console.log(`[zigznote] auth emails made from requests a stopped process left: ${made}`);
    } catch (error) {
      console.error(`[zigznote] auth email request sweep failed: ${error instanceof Error ? error.name : 'error'}`);
    } finally {
      running = false;
    }
  };
  void sweep();
  setInterval(() => void sweep(), EMAIL_REQUEST_SWEEP_MS).unref();
}

export async function startServer(): Promise<void> {
  let config: AppConfig;
  try {
    config = getConfig();
    // The configuration checks each variable's form; what a limit override names is the limiter's table's.
    const problems = rateLimitSettingProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  for (const line of describeServices(config)) console.log(`[zigznote] ${line}`);
  if (config.rateLimitsDisabled)
    console.warn('[zigznote] rate limits: DISABLED by RATE_LIMITS_DISABLED; nothing limits abuse but your gateway');
  installPeerStamp();
  const cache = installAppCacheHandlers(config.redis, config.cacheMaxTtlSeconds, config.cacheDisabled);
  console.log(
    cache.enabled
      ? `[zigznote] cache:    Redis, shared by every instance (entries live at most ${config.cacheMaxTtlSeconds} s)`
      : `[zigznote] cache:    off (${config.cacheDisabled ? 'CACHE_DISABLED' : 'no Redis'}): pages and cached() values are computed every time`,
  );
  await initServerErrorTracking(config.sentryDsn, config.env);
  if (config.sentryDsn) console.log('[zigznote] errors:   reported to the SENTRY_DSN endpoint (scrubbed)');
  await withRetries('database migrations', () => migrateDatabase(config.database));
  const buckets = await setUpConfiguredBuckets();
  if (buckets.ready) {
    console.log(`[zigznote] buckets:  ${buckets.buckets.join(', ')}`);
    await checkGuaranteesAtStart(config);
  } else {
    console.error(`[zigznote] buckets not ready (${buckets.error}); /api/health reports it and retries`);
  }
  scheduleUploadSweeps();
  scheduleEmailRequestSweep();
  // Before the first pass: mail is not sent into a paused account, and is paced to the account's rate.
  await startSesAccountWatch(config);
  startEmailOutbox();
  console.log('[zigznote] email:    outbox worker started (queued emails are sent, and retried for up to a day)');
  const draining = installGracefulShutdown({
    graceMs: config.shutdownGraceSeconds * 1000,
    stopAcceptingAfterMs: 1_000,
    closers: [
      // The pass in progress finishes the emails it claimed; nothing stays claimed by a process that left.
      { name: 'the outbox worker', close: stopEmailOutbox },
      { name: 'the SES account watch', close: async () => stopSesAccountWatch() },
      { name: 'Redis', close: closeRedis },
      { name: 'Postgres', close: closeDatabase },
    ],
  });
  if (draining)
    console.log(`[zigznote] shutdown: SIGTERM drains (requests in flight get ${config.shutdownGraceSeconds} s)`);
}

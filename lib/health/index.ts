/**
 * The service checks behind /api/health: each one timed and bounded by a timeout so a dead dependency
 * answers "not ok" quickly instead of hanging the probe. Redis, storage and the database are required
 * (a failure means HTTP 503); email is not, because sending is retried after the response. Each check's
 * result is reused for `healthCacheSeconds` and concurrent probes share one run, so a flood of probes
 * costs the services nothing more than one probe. Node-only.
 */
import { processState } from '../runtime';
import { withDeadline } from '../runtime';
import type { AppConfig } from '../config';
import { pingDatabase } from '../db';
import { emailSendingMode, getOutbox, pingEmail, sesAccountStatus } from '../email';
import { pingRedis } from '../redis';
import {
  bucketStatus,
  setUpConfiguredBuckets,
  lastGuaranteeReport,
  missingGuarantees,
  pingStorage,
  verifyStorageGuarantees,
  type GuaranteeReport,
} from '../storage';
import { sameSecret } from '../runtime';
import { backupStatus, type BackupStatus } from '../backup';
import { createOperationsClient } from '../storage';

const CHECK_TIMEOUT_MS = 2_000;
/** An email due this long and still not sent means the outbox is stuck (SES down, no worker running). */
export const OUTBOX_STUCK_AFTER_SECONDS = 300;

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  required: boolean;
  mode: string;
  error?: string;
  /** email only: seconds the oldest due, unsent email has waited (0: none waits). */
  oldestDueSeconds?: number;
  /** email only: where SES sends run (a worker thread, this thread if that could not start, or a test's transport). */
  sendingOn?: ReturnType<typeof emailSendingMode>;
  /** storage only: the server's guarantees as last checked (start-up, or this probe if start-up could not). */
  guarantees?: GuaranteeReport;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  httpStatus: 200 | 503;
  checks: Record<'redis' | 'storage' | 'database' | 'email', CheckResult>;
}

async function timed(
  required: boolean,
  mode: string,
  probe: (signal: AbortSignal) => Promise<void>,
): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  try {
    await withDeadline(probe(controller.signal), CHECK_TIMEOUT_MS, `no answer within ${CHECK_TIMEOUT_MS} ms`, () =>
      controller.abort(),
    );
    return { ok: true, latencyMs: Math.round(performance.now() - started), required, mode };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      required,
      mode,
      // Only the message: errors from clients can carry connection strings in other fields.
      error: error instanceof Error ? redact(error.message) : 'unavailable',
    };
  }
}

function redact(message: string): string {
  return message.replace(/\/\/[^@/\s]*@/g, '//***@');
}

function redisCheck(redis: AppConfig['redis']): Promise<CheckResult> {
  if (redis.kind === 'memory') return timed(true, 'in-process (stand-in)', async () => {});
  return timed(true, redis.kind, () => pingRedis(redis));
}

type CheckName = keyof HealthReport['checks'];

const cache = processState('health', () => new Map<CheckName, { at: number; result: Promise<CheckResult> }>());

/** The check's last result while it is fresh, else a new run (shared by everyone asking meanwhile). */
function cached(name: CheckName, maxAgeMs: number, run: () => Promise<CheckResult>): Promise<CheckResult> {
  const now = Date.now();
  const entry = cache.get(name);
  if (entry && now - entry.at < maxAgeMs) return entry.result;
  const result = run();
  cache.set(name, { at: now, result });
  return result;
}

/** Forgets cached results (tests change the services under a running process). */
export function clearHealthCache(): void {
  cache.clear();
  backupCache.report = undefined;
}

/** Whether the request presents the configured HEALTH_TOKEN (as a bearer token), compared in constant time. */
export function presentsHealthToken(authorization: string | null, token: string | undefined): boolean {
  if (!token || !authorization?.startsWith('Bearer ')) return false;
  return sameSecret(authorization.slice('Bearer '.length).trim(), token);
}

/** SES answers, and the outbox is moving: its oldest due email has not waited over five minutes. */
async function emailCheck(config: AppConfig): Promise<CheckResult> {
  let oldestDueSeconds: number | undefined;
  const result = await timed(
    false,
    config.email.endpoint ? `ses (${new URL(config.email.endpoint).host})` : 'ses',
    async (signal) => {
      const [, age] = await Promise.all([
        pingEmail(config.email, signal),
        getOutbox().then((outbox) => outbox.oldestDueAgeSeconds()),
      ]);
      oldestDueSeconds = Math.round(age);
      const account = sesAccountStatus()?.assessment;
      if (account?.hold) throw new Error(`mail held: ${account.hold}`);
      if (age > OUTBOX_STUCK_AFTER_SECONDS)
        throw new Error(`outbox stuck: the oldest due email has waited ${oldestDueSeconds} s`);
      if (account && account.warnings.length > 0) throw new Error(account.warnings.join('; '));
    },
  );
  const sendingOn = emailSendingMode();
  return oldestDueSeconds === undefined ? { ...result, sendingOn } : { ...result, oldestDueSeconds, sendingOn };
}

/** Storage answers, its buckets exist, and it keeps the guarantees the app relies on. */
async function storageCheck(config: AppConfig): Promise<CheckResult> {
  const result = await timed(true, config.storage.backend, async () => {
    await pingStorage(config.storage);
    // Buckets that were not made at start-up (storage was still down) are made now, or the check fails.
    if (bucketStatus()?.ready !== true) {
      const status = await setUpConfiguredBuckets({ attempts: 1 });
      if (!status.ready) throw new Error(`buckets not ready: ${status.error}`);
    }
    const report = lastGuaranteeReport() ?? (await verifyStorageGuarantees());
    // Development may run on a stand-in that keeps none of them: reported, not failed (production
    // refuses to start on such a server, so there it means the server changed under a running app).
    if (!report.ok && config.isProduction)
      throw new Error(`guarantees missing: ${missingGuarantees(report).join('; ')}`);
  });
  const guarantees = lastGuaranteeReport();
  return guarantees ? { ...result, guarantees } : result;
}

export async function checkHealth(config: AppConfig): Promise<HealthReport> {
  const maxAgeMs = config.healthCacheSeconds * 1000;
  const [redis, storage, database, email] = await Promise.all([
    cached('redis', maxAgeMs, () => redisCheck(config.redis)),
    cached('storage', maxAgeMs, () => storageCheck(config)),
    cached('database', maxAgeMs, () => timed(true, config.database.kind, () => pingDatabase(config.database))),
    cached('email', maxAgeMs, () => emailCheck(config)),
  ]);
  const checks = { redis, storage, database, email };
  const results = Object.values(checks);
  const requiredFailed = results.some((c) => c.required && !c.ok);
  return {
    status: results.every((c) => c.ok) ? 'ok' : 'degraded',
    httpStatus: requiredFailed ? 503 : 200,
    checks,
  };
}

const BACKUP_REPORT_CACHE_MS = 60_000;
const backupCache = processState('health-backups', () => ({
  at: 0,
  report: undefined as Promise<BackupReport> | undefined,
}));

export type BackupReport = BackupStatus | { ok: false; problem: string };

/**
 * The backups as the backups bucket tells them (scripts/backup runs outside the app): the newest set and its
 * age, failed runs since. Listed at most once a minute per process, however often health or metrics ask.
 */
export function backupReport(config: AppConfig): Promise<BackupReport> {
  const now = Date.now();
  if (backupCache.report && now - backupCache.at < BACKUP_REPORT_CACHE_MS) return backupCache.report;
  backupCache.at = now;
  backupCache.report = withDeadline(
    backupStatus(createOperationsClient(config.storage), config.backupBucket),
    CHECK_TIMEOUT_MS,
    `no answer within ${CHECK_TIMEOUT_MS} ms`,
  ).catch((error: unknown) => ({
    ok: false as const,
    problem: `the backups bucket ${config.backupBucket} cannot be read: ${error instanceof Error ? redact(error.message) : 'unavailable'}`,
  }));
  return backupCache.report;
}

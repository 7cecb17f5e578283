/**
 * The service checks behind /api/health: each one timed and bounded by a timeout so a dead dependency
 * answers "not ok" quickly instead of hanging the probe. Redis, storage and the database are required
 * (a failure means HTTP 503); email is not, because sending is retried after the response. Node-only.
 */
import type { AppConfig } from '../config';
import { pingDatabase } from '../db';
import { pingEmail } from '../email';
import { pingRedis } from '../redis';
import { bucketStatus, initializeBuckets, pingStorage } from '../storage';

const CHECK_TIMEOUT_MS = 2_000;

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  required: boolean;
  mode: string;
  error?: string;
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
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`));
    }, CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(controller.signal), timeout]);
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
  } finally {
    clearTimeout(timer);
  }
}

function redact(message: string): string {
  return message.replace(/\/\/[^@/\s]*@/g, '//***@');
}

function redisCheck(redis: AppConfig['redis']): Promise<CheckResult> {
  if (redis.kind === 'memory') return timed(true, 'in-process (stand-in)', async () => {});
  return timed(true, redis.kind, () => pingRedis(redis));
}

export async function checkHealth(config: AppConfig): Promise<HealthReport> {
  const [redis, storage, database, email] = await Promise.all([
    redisCheck(config.redis),
    timed(true, 'minio', async () => {
      await pingStorage(config.storage);
      // Buckets that were not made at start-up (storage was still down) are made now, or the check fails.
      if (bucketStatus()?.ready !== true) {
        const status = await initializeBuckets({ attempts: 1 });
        if (!status.ready) throw new Error(`buckets not ready: ${status.error}`);
      }
    }),
    timed(true, config.database.kind, () => pingDatabase(config.database)),
    timed(false, config.email.endpoint ? `ses (${new URL(config.email.endpoint).host})` : 'ses', (signal) =>
      pingEmail(config.email, signal),
    ),
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

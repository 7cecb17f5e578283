/**
 * The process's Prometheus metrics (prom-client), served by GET /api/metrics: rate-limit decisions by
 * group, rule, outcome and source, the limiter's latency, Redis connection errors, and the shared cache's
 * counters. One registry per process, kept on globalThis like other process state. Node-only.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { processState } from '../runtime';

export type DecisionOutcome = 'allowed' | 'limited' | 'shadow-limited' | 'unavailable';

interface DecisionLike {
  group: string;
  status: number;
  source: string;
  shadowLimited: string[];
  outcome: { limits: Array<{ name: string; remaining: number }> };
}

const metrics = processState('metrics', () => {
  const registry = new Registry();
  const decisions = new Counter({
    name: 'zigznote_rate_limit_decisions_total',
    help: 'Rate-limit decisions per rule: allowed, limited, shadow-limited (would have been refused) or unavailable (store down, fail closed)',
    labelNames: ['group', 'rule', 'outcome', 'source'] as const,
    registers: [registry],
  });
  const checkSeconds = new Histogram({
    name: 'zigznote_rate_limit_check_seconds',
    help: 'Time a rate-limit decision took, store round trip included',
    labelNames: ['group', 'source'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  const redisErrors = new Counter({
    name: 'zigznote_redis_errors_total',
    help: 'Errors reported by Redis connections (refused, reset, timed out)',
    registers: [registry],
  });
  const cacheSources: Array<() => Record<string, Record<string, number>>> = [];
  new Gauge({
    name: 'zigznote_cache_operations',
    help: 'Shared cache operations since start, by handler and result (hits, misses, sets, unavailable)',
    labelNames: ['handler', 'result'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const source of cacheSources) {
        for (const [handler, counters] of Object.entries(source())) {
          for (const [result, value] of Object.entries(counters)) this.set({ handler, result }, value);
        }
      }
    },
  });
  // Backups are made by scripts/backup, outside the app: these read what the backups bucket says.
  const backups = { read: undefined as (() => Promise<BackupFigures | null>) | undefined };
  const backupGauge = (name: string, help: string, pick: (figures: BackupFigures) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const figures = await backups.read?.().catch(() => null);
        this.reset();
        if (figures) this.set(pick(figures));
      },
    });
  backupGauge(
    'backup_last_success_timestamp_seconds',
    'When the newest complete backup set was made (seconds since the epoch)',
    (f) => f.newestAt ?? 0,
  );
  backupGauge('backup_size_bytes', 'Bytes in the newest complete backup set', (f) => f.newestBytes);
  // A gauge under the conventional counter name: the failed runs recorded in the bucket, counted at each scrape.
  backupGauge(
    'backup_failures_total',
    'Backup runs that failed (recorded by scripts/backup in the backups bucket)',
    (f) => f.failuresTotal,
  );
  return { registry, decisions, checkSeconds, redisErrors, cacheSources, backups };
});

export interface BackupFigures {
  newestAt: number | null;
  newestBytes: number;
  failuresTotal: number;
}

/** Where the backup gauges read from at each scrape (the backups bucket, through health's cached report). */
export function exposeBackupFigures(read: () => Promise<BackupFigures | null>): void {
  metrics.backups.read = read;
}

/** Counts one decision once per rule it evaluated, with that rule's own outcome. */
export function recordRateLimitDecision(decision: DecisionLike, durationMs: number): void {
  const blocked = decision.status !== 200;
  for (const limit of decision.outcome.limits) {
    const outcome: DecisionOutcome =
      decision.status === 503
        ? 'unavailable'
        : decision.shadowLimited.includes(limit.name)
          ? 'shadow-limited'
          : blocked && limit.remaining === 0
            ? 'limited'
            : 'allowed';
    metrics.decisions.inc({ group: decision.group, rule: limit.name, outcome, source: decision.source });
  }
  metrics.checkSeconds.observe({ group: decision.group, source: decision.source }, durationMs / 1000);
}

export function recordRedisError(): void {
  metrics.redisErrors.inc();
}

/** Adds counters read at every scrape, e.g. the cache's hits and misses by handler. */
export function exposeCounters(read: () => Record<string, Record<string, number>>): void {
  metrics.cacheSources.push(read);
}

export function metricsText(): Promise<string> {
  return metrics.registry.metrics();
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

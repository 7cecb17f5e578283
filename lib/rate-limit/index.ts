/**
 * Rate limiting on Redis, as a toolkit: `createRateLimiter({ redis })` gives an atomic multi-limit
 * sliding-window limiter per route group (one MULTI/EXEC a check, a rejected request keeping nothing),
 * with Upstash's result fields, getRemaining and refund, shadow mode and a block cache for floods; plus
 * this app's process-wide limiter and its helpers (checkLoginRateLimit & co.). Node-only; middleware
 * imports ./edge.
 */
import type { Cluster, Redis } from 'ioredis';
import { RateLimiter, type LimiterOptions } from './limiter';
import { RedisStore } from './store-redis';
import { LeasingStore } from './store-leasing';

export * from './edge';
export { RedisStore, slotKey, type RedisStoreOptions } from './store-redis';
export { REFUND_LIMITS_LUA } from './scripts';
export type { LimiterOptions } from './limiter';
export {
  getRateLimiter,
  checkRateLimit,
  checkLoginRateLimit,
  checkRegisterRateLimit,
  checkPasswordResetRateLimit,
  checkApiRateLimit,
  checkUploadRateLimit,
  clientIpFromHeaders,
} from './server';

export interface CreateRateLimiterOptions extends Omit<LimiterOptions, 'store'> {
  /** An ioredis client: a single node, a Sentinel-managed primary or a Cluster. */
  redis: Redis | Cluster;
  /** Prefix of every key the limiter writes (default "rl:"). */
  prefix?: string;
  /** The name the refund script is defined under on the client (default zigznoteRefundLimits). */
  scriptNames?: { refund?: string };
  /**
   * Hits of a one-limit counter check (the api group) a process may take from Redis at once and hand out
   * itself (store-leasing.ts): Redis sees one check per lease, not per request. 1 (default) takes none.
   */
  counterLeases?: number;
}

/** A limiter on your Redis with this app's policy table (change it with `overrides`, e.g. "api=300/1m"). */
export function createRateLimiter({ redis, prefix, scriptNames, counterLeases = 1, ...options }: CreateRateLimiterOptions): RateLimiter {
  const store = new RedisStore(redis, { prefix, scriptNames });
  return new RateLimiter({ ...options, store: counterLeases > 1 ? new LeasingStore(store, counterLeases) : store });
}

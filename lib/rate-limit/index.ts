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
}

/** A limiter on your Redis with this app's policy table (change it with `overrides`, e.g. "api=300/1m"). */
export function createRateLimiter({ redis, prefix, scriptNames, ...options }: CreateRateLimiterOptions): RateLimiter {
  return new RateLimiter({ ...options, store: new RedisStore(redis, { prefix, scriptNames }) });
}

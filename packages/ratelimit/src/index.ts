/**
 * @zigznote/ratelimit: rate limiting on your own Redis through ioredis. `Ratelimit` has @upstash/ratelimit's
 * API (switching changes the import and the client); `createRateLimiter` checks all the limits of a route
 * group of yours at once, in one round trip. Node-only: Edge middleware imports `@zigznote/ratelimit/limiter`.
 */
import type { RedisClient } from './types.js';
import { RateLimiter, type LimiterOptions } from './limiter/limiter.js';
import { RedisStore } from './store-redis.js';

export { Ratelimit, type RatelimitConfig } from './ratelimit.js';
export { DenyList } from './deny-list.js';
export { ms, type Duration, type Unit } from './duration.js';
export type { Algorithm, LimitOptions, RatelimitResponse, RedisClient } from './types.js';
export { RedisStore, slotKey, type RedisStoreOptions } from './store-redis.js';
export { REFUND_LIMITS_LUA } from './limits-scripts.js';
export * from './limiter/index.js';

export interface CreateRateLimiterOptions<G extends string> extends Omit<LimiterOptions<G>, 'store'> {
  /** Your ioredis client: a single node, a Sentinel-managed primary or a Cluster. Used, never closed. */
  redis: RedisClient;
  /** Prefix of every key the limiter writes. @default "rl:" */
  prefix?: string;
  /** The name the refund script is defined under on your client. @default "rateLimitRefund" */
  scriptNames?: { refund?: string };
}

/** A limiter over your Redis with your policy table: `limiter.limit({ group, ip, email?, userId? })`. */
export function createRateLimiter<G extends string>({
  redis,
  prefix,
  scriptNames,
  ...options
}: CreateRateLimiterOptions<G>): RateLimiter<G> {
  if (!redis || typeof (redis as Partial<RedisClient>).defineCommand !== 'function') {
    throw new TypeError(
      'createRateLimiter: `redis` must be an ioredis client (new Redis(url), a Sentinel client or a Cluster)',
    );
  }
  return new RateLimiter<G>({ ...options, store: new RedisStore(redis, { prefix, scriptNames }) });
}

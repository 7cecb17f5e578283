/**
 * @zigznote/ratelimit: rate limiting on your own Redis through ioredis, with @upstash/ratelimit's API.
 * Switching from Upstash: change the import, pass your ioredis client as `redis`.
 */
export { Ratelimit, type RatelimitConfig } from './ratelimit.js';
export { DenyList } from './deny-list.js';
export { ms, type Duration, type Unit } from './duration.js';
export type { Algorithm, LimitOptions, RatelimitResponse, RedisClient } from './types.js';

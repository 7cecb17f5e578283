/**
 * This app's rate limiting (Node): its policy table on @zigznote/ratelimit's multi-limit limiter, the
 * process-wide limiter on the app's Redis, the helpers callers use (checkLoginRateLimit & co.) and the
 * stamp of each request's peer address. What the rest of the app imports on Node; middleware imports ./edge.
 */
export * from './edge';
export {
  RedisStore,
  slotKey,
  createRateLimiter,
  type RedisStoreOptions,
  type LimiterOptions,
  type CreateRateLimiterOptions,
} from '@zigznote/ratelimit';
export * from './server';
export { installPeerStamp } from './peer-stamp';

/**
 * This app's rate limiting (Node): its policy table on @zigznote/ratelimit's multi-limit limiter, the
 * process-wide limiter on the app's Redis, and the helpers callers use (checkLoginRateLimit & co.).
 * Middleware imports ./edge.
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

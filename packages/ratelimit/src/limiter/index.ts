/**
 * @zigznote/ratelimit/limiter: the multi-limit limiter over any store, Edge-safe (no Node import), for
 * middleware built for either runtime. Each request of a route group is checked against all the group's
 * limits at once (all or nothing), with shadow rules, refunds, an in-process fallback and block cache, a
 * circuit on the store, and the IETF RateLimit header fields. Pair it with `RedisStore` from the package's
 * main entry (Node), or with `MemoryStore` for one process.
 */
export {
  RateLimiter,
  type LimiterOptions,
  type RateLimitDecision,
  type RateLimitRequest,
  type LimiterHealth,
  type DecisionSource,
} from './limiter.js';
export { MemoryStore } from './store-memory.js';
export { LeasingStore } from './store-leasing.js';
export { StoreGuard } from './store-guard.js';
export {
  applyOverrides,
  shadowRuleNames,
  OVERRIDE_PATTERN,
  type Identity,
  type LimitRule,
  type Policy,
  type PolicyTable,
} from './policies.js';
export { rateLimitHeaders, retryAfterSeconds, describeWait, blockingResetMs } from './headers.js';
export { normalizeIp, ipv6Prefix48, parseTrustedProxies, resolveClientIp, type TrustedProxies } from './client-ip.js';
export { DeadlineError, withIoDeadline } from './deadline.js';
export type { Algorithm, CheckOutcome, LimitSpec, LimitState, RateLimitStore } from './types.js';

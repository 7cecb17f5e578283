/**
 * Rate limiting on Redis: atomic multi-limit sliding windows per route group, an in-process store with
 * the same semantics, client identity behind trusted proxies, and the IETF RateLimit header fields.
 * This entry point is Edge-safe; Node-only wiring (the Redis store, the process's limiter and the
 * helpers checkLoginRateLimit & co.) is in ./server.
 */
export { RateLimiter, type RateLimitDecision, type RateLimitRequest, type LimiterHealth, type DecisionSource } from './limiter';
export { MemoryStore } from './store-memory';
export { DEFAULT_POLICIES, ROUTE_GROUPS, resolvePolicies, type Policy, type RouteGroup, type LimitRule } from './policies';
export { rateLimitHeaders, retryAfterSeconds, describeWait } from './headers';
export { PEER_HEADER, normalizeIp, parseTrustedProxies, resolveClientIp, type TrustedProxies } from './client-ip';
export { routeGroupOf } from './routes';
export { readVerdict, limitMessage, limitedGroup, GROUP_HEADER, VERDICT_HEADER, type RateLimitVerdict } from './verdict';
export { handleRateLimit, sessionTokenOf, type DecideFn, type MiddlewareCheck } from './middleware-handler';
export type { CheckOutcome, LimitSpec, LimitState, RateLimitStore, Algorithm } from './types';

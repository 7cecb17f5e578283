/**
 * The limiter's Edge-safe entry point, for middleware built for either runtime: the limiter over any
 * store, the in-process store, policies, client identity, headers and the middleware handler. The
 * public entry point with the Redis store and the helpers is ./index (Node).
 */
export { RateLimiter, type RateLimitDecision, type RateLimitRequest, type LimiterHealth, type DecisionSource } from './limiter';
export { MemoryStore } from './store-memory';
export { LeasingStore } from './store-leasing';
export { DEFAULT_POLICIES, ROUTE_GROUPS, resolvePolicies, type Policy, type RouteGroup, type LimitRule } from './policies';
export { rateLimitHeaders, retryAfterSeconds, describeWait } from './headers';
export { PEER_HEADER, normalizeIp, parseTrustedProxies, resolveClientIp, type TrustedProxies } from './client-ip';
export { BRIDGE_PATH, SNS_PATH, routeGroupOf } from './routes';
export { readVerdict, limitMessage, limitedGroup, GROUP_HEADER, VERDICT_HEADER, DEFAULT_NAMES, type RateLimitNames, type RateLimitVerdict } from './verdict';
export { handleRateLimit, sessionTokenOf, type DecideFn, type MiddlewareCheck } from './middleware-handler';
export type { CheckOutcome, LimitSpec, LimitState, RateLimitStore, Algorithm } from './types';

/**
 * This app's rate limiting, Edge-safe, for middleware built for either runtime: the toolkit's limiter core
 * (@zigznote/ratelimit/limiter) with this app's policy table, routes, names and middleware handler. The
 * Node side (Redis store, the process's limiter, helpers) is ./index.
 */
export {
  RateLimiter,
  MemoryStore,
  LeasingStore,
  rateLimitHeaders,
  retryAfterSeconds,
  describeWait,
  normalizeIp,
  parseTrustedProxies,
  resolveClientIp,
  type RateLimitDecision,
  type RateLimitRequest,
  type LimiterHealth,
  type DecisionSource,
  type TrustedProxies,
  type CheckOutcome,
  type LimitSpec,
  type LimitState,
  type RateLimitStore,
  type Algorithm,
} from '@zigznote/ratelimit/limiter';
export {
  DEFAULT_POLICIES,
  ROUTE_GROUPS,
  FORM_POST_GROUPS,
  rateLimitSettingProblems,
  resolvePolicies,
  type Policy,
  type RouteGroup,
  type LimitRule,
} from './policies';
export { BRIDGE_PATH, SNS_PATH, routeGroupOf } from './routes';
export {
  readVerdict,
  limitMessage,
  limitedGroup,
  GROUP_HEADER,
  VERDICT_HEADER,
  PEER_HEADER,
  DEFAULT_NAMES,
  type RateLimitNames,
} from './verdict';
export { handleRateLimit, sessionTokenOf, type DecideFn, type MiddlewareCheck } from './middleware-handler';
export { edgeLimiter } from './edge-bridge';

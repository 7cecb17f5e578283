/**
 * @zigznote/ratelimit/next: rate limits in Next.js middleware on either runtime. On Node, `decide` is
 * your limiter, called directly; on the Edge, `bridgeDecide` sends checks to the route handler
 * `createBridgeHandler` makes on the Node runtime. Edge-safe (imports next/server only).
 */
export {
  decisionOf,
  defaultLimitedResponse,
  limitedMiddleware,
  limitRequest,
  type LimitRequestOptions,
  type NextFn,
} from './middleware.js';
export { bridgeDecide, type BridgeOptions } from './bridge.js';
export { createBridgeHandler, type BridgeHandlerOptions } from './bridge-handler.js';
export { parseTrustedProxies, resolveClientIp, type TrustedProxies } from '../limiter/client-ip.js';
export type { Decide, LimitCheck, LimitDecision } from './types.js';

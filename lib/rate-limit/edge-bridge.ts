/**
 * The limiter as seen from middleware built for the Edge runtime, which cannot open a Redis connection:
 * @zigznote/ratelimit/next's bridge to our Node-runtime route /api/internal/rate-limit, authenticated
 * with a shared secret (RATE_LIMIT_BRIDGE_SECRET) and sent to a configured internal address, never to one
 * taken from the request. Concurrent checks share one POST. Edge-safe.
 */
import { bridgeDecide } from '@zigznote/ratelimit/next';
import { parseTrustedProxies, type TrustedProxies } from '@zigznote/ratelimit/limiter';
import { getConfig } from '../config';
import type { DecideFn } from './middleware-handler';
import { BRIDGE_PATH } from './routes';

let bridged: DecideFn | undefined;

export function edgeLimiter(): { decide: DecideFn | null; trusted: TrustedProxies } {
  const config = getConfig();
  const trusted = parseTrustedProxies(config.trustedProxies, 'TRUSTED_PROXIES');
  if (config.rateLimitsDisabled) return { decide: null, trusted };
  const bridge = config.rateLimitBridge;
  if (!bridge)
    throw new Error('middleware runs on the Edge runtime: set RATE_LIMIT_BRIDGE_SECRET (and RATE_LIMIT_BRIDGE_URL)');
  bridged ??= bridgeDecide({ url: `${bridge.url}${BRIDGE_PATH}`, secret: bridge.secret });
  return { decide: bridged, trusted };
}

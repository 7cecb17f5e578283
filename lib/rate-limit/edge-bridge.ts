/**
 * The limiter as seen from middleware built for the Edge runtime, which cannot open a Redis connection:
 * each check is one POST to our Node-runtime route /api/internal/rate-limit, authenticated with a shared
 * secret (RATE_LIMIT_BRIDGE_SECRET) and sent to a configured internal address, never to one taken from
 * the request. Edge-safe.
 */
import { getConfig } from '../config';
import { parseTrustedProxies, type TrustedProxies } from '@zigznote/ratelimit/limiter';
import type { DecideFn } from './middleware-handler';
import { BRIDGE_PATH } from './routes';

export function edgeLimiter(): { decide: DecideFn | null; trusted: TrustedProxies } {
  const config = getConfig();
  if (config.rateLimitsDisabled) return { decide: null, trusted: parseTrustedProxies(config.trustedProxies, 'TRUSTED_PROXIES') };
  const bridge = config.rateLimitBridge;
  if (!bridge) throw new Error('middleware runs on the Edge runtime: set RATE_LIMIT_BRIDGE_SECRET (and RATE_LIMIT_BRIDGE_URL)');
  const decide: DecideFn = async (request) => {
    const response = await fetch(`${bridge.url}${BRIDGE_PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bridge.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(1_000),
    });
    if (!response.ok) throw new Error(`rate-limit bridge answered ${response.status}`);
    return response.json();
  };
  return { decide, trusted: parseTrustedProxies(config.trustedProxies, 'TRUSTED_PROXIES') };
}

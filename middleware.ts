/**
 * Runs before every matched request: refuses cross-origin API writes and applies the rate limits of the
 * request's route group. On the Node runtime (what we ship) it calls the limiter directly, one Redis round
 * trip; built for the Edge runtime it asks the limiter through our authenticated internal route. Each
 * response gets a Content-Security-Policy with a nonce of its own (Next reads it from the request and puts
 * it on its scripts). The static security headers come from next.config.mjs, so static assets get them too.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { problemFor } from './lib/api/edge';
import { isCrossOriginWrite, sessionCookieName } from './lib/auth/edge';
import { getConfig } from './lib/config';
import { CONTENT_SECURITY_POLICY_HEADER, contentSecurityPolicy, newNonce, originsOf } from './lib/security';
import {
  BRIDGE_PATH,
  DEFAULT_NAMES,
  edgeLimiter,
  handleRateLimit,
  sessionTokenOf,
  SNS_PATH,
  type DecideFn,
  type RateLimitNames,
  type TrustedProxies,
} from './lib/rate-limit/edge';

// Authenticated by their own signatures, not by being called from our pages.
const SIGNED_API_ROUTES = new Set([SNS_PATH, BRIDGE_PATH]);

/** The session cookie of this mode only: production never reads (or renews) the plain development name. */
let names: RateLimitNames | undefined;
const namesForMode = () => (names ??= { ...DEFAULT_NAMES, sessionCookie: sessionCookieName(getConfig().isProduction) });

async function limiterForRuntime(): Promise<{ decide: DecideFn | null; trusted: TrustedProxies }> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const [{ decide, getTrustedProxies, rateLimitsEnabled }, { userIdOfSession }] = await Promise.all([
      import('./lib/rate-limit'),
      import('./lib/auth'),
    ]);
    return {
      decide: rateLimitsEnabled() ? (check) => decide(check, userIdOfSession) : null,
      trusted: getTrustedProxies(),
    };
  }
  return edgeLimiter();
}

let connectOrigins: string[] | undefined;
/** The browser talks to us, to storage (presigned uploads) and, when configured, to GlitchTip. */
function pagePolicy(): string {
  connectOrigins ??= originsOf([getConfig().storage.publicUrl, getConfig().sentryDsn]);
  return contentSecurityPolicy({
    nonce: newNonce(),
    connectOrigins,
    development: process.env.NODE_ENV !== 'production',
  });
}

export async function middleware(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (
    pathname.startsWith('/api/') &&
    !SIGNED_API_ROUTES.has(pathname) &&
    isCrossOriginWrite(request.method, request.headers, getConfig().appUrl)
  ) {
    return problemFor(403, 'Cross-origin request refused.');
  }
  let response: NextResponse | Response;
  const policy = pagePolicy();
  try {
    const { decide, trusted } = await limiterForRuntime();
    response = await handleRateLimit(request, decide, trusted, namesForMode(), {
      [CONTENT_SECURITY_POLICY_HEADER]: policy,
    });
  } catch (error) {
    // A misconfiguration must not take the site down silently: fail closed on this request, log why.
    console.error('[rate-limit] middleware failed:', error instanceof Error ? error.message : error);
    response = problemFor(503, 'Rate limiting is unavailable; try again shortly.', {}, { 'Retry-After': '5' });
  }
  if (response instanceof NextResponse && response.status < 400) await renewSessionCookie(request, response);
  if (response instanceof NextResponse) response.headers.set(CONTENT_SECURITY_POLICY_HEADER, policy);
  return response;
}

/** Page navigations re-issue the session cookie with the session's remaining life (Node runtime only). */
async function renewSessionCookie(request: NextRequest, response: NextResponse): Promise<void> {
  const isPageView = request.method === 'GET' && request.headers.get('sec-fetch-dest') === 'document';
  const token = sessionTokenOf(request, namesForMode());
  if (!isPageView || !token) return;
  // Inside the NEXT_RUNTIME test, so the Edge build never bundles the Node-only session code.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    try {
      const { renewedSessionCookie } = await import('./lib/auth');
      const cookie = await renewedSessionCookie(token);
      if (cookie) response.cookies.set(cookie.name, cookie.value, cookie.options);
    } catch {
      // Redis down: the page itself will say so; the cookie keeps its current life.
    }
  }
}

export const config = {
  runtime: 'nodejs',
  // The Edge bridge's route is called by middleware itself: running middleware again for it would double
  // the work of every limited request on the Edge.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/internal/rate-limit).*)'],
};

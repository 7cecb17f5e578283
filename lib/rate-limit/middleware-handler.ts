/**
 * What middleware.ts does with a request, on @zigznote/ratelimit/next's `limitRequest`: this app's route
 * groups, client address header, session cookie and failure modes. /api routes over their limit get 429
 * (or 503) with a JSON problem body; form posts go on to their server action carrying the verdict, so the
 * form shows how long to wait. Every limited response carries the RateLimit header fields. With no
 * `decide` (limits disabled by configuration) requests only lose any verdict header a client sent. Edge-safe.
 */
import type { NextRequest, NextResponse } from 'next/server';
import { limitRequest, type Decide, type LimitCheck } from '@zigznote/ratelimit/next';
import type { TrustedProxies } from '@zigznote/ratelimit/limiter';
import { problemFor } from '../api/edge';
import { limitMessage, encodeVerdict, type RateLimitNames } from './verdict';
import { isApiPath, routeGroupOf } from './routes';
import { DEFAULT_POLICIES, type RouteGroup } from './policies';

/** What middleware knows of a request: its group, its client, and the session cookie if it sent one. */
export type MiddlewareCheck = LimitCheck<RouteGroup>;

export type DecideFn = Decide<RouteGroup>;

/** The session token a request carries under the configured cookie name (no other name counts). */
export function sessionTokenOf(
  request: Pick<NextRequest, 'cookies'>,
  names: Pick<RateLimitNames, 'sessionCookie'>,
): string | undefined {
  return request.cookies.get(names.sessionCookie)?.value || undefined;
}

export async function handleRateLimit(
  request: NextRequest,
  decide: DecideFn | null,
  trusted: TrustedProxies,
  names: RateLimitNames,
  /** Set on the request the app sees (e.g. the page's Content-Security-Policy, where Next finds its nonce). */
  addRequestHeaders: Record<string, string> = {},
): Promise<NextResponse | Response> {
  const group = routeGroupOf(request.method, request.nextUrl.pathname);
  return limitRequest(request, {
    group: () => group,
    decide,
    trustedProxies: trusted,
    peerHeader: names.peerHeader,
    sessionCookie: names.sessionCookie,
    stripHeaders: [names.verdictHeader, names.groupHeader],
    // Server code reads which group's per-IP limits middleware applied (see verdict.ts).
    requestHeaders: group && decide ? { ...addRequestHeaders, [names.groupHeader]: group } : addRequestHeaders,
    failOpen: (limited) => DEFAULT_POLICIES[limited].onStoreFailure === 'open',
    onUnreachable: (error) =>
      console.error(
        `[rate-limit] limiter unreachable (${error instanceof Error ? error.message : 'error'}): fail-open groups are served unlimited, the others answer 503`,
      ),
    onLimited: (limited, decision, next) => {
      const status = decision.status === 503 ? 503 : 429;
      if (isApiPath(limited.nextUrl.pathname)) {
        return problemFor(
          status,
          limitMessage(status, decision.retryAfterSeconds),
          { retryAfter: decision.retryAfterSeconds },
          decision.headers,
        );
      }
      return next(decision.headers, { [names.verdictHeader]: encodeVerdict(status, decision.retryAfterSeconds) });
    },
  });
}

/**
 * What middleware.ts does with a request: find its route group and client, ask the limiter (directly on
 * the Node runtime, through the internal route on the Edge), and answer. /api routes over their limit get
 * 429 (or 503) with a JSON problem body; form posts go on to their server action carrying the verdict, so
 * the form shows how long to wait. Every limited response carries the RateLimit header fields. With no
 * `decide` (limits disabled by configuration) requests only lose any verdict header a client sent. Edge-safe.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { problemFor } from '../api/problem';
import { resolveClientIp, type RateLimitDecision, type RateLimitRequest, type TrustedProxies } from '@zigznote/ratelimit/limiter';
import { limitMessage, encodeVerdict, DEFAULT_NAMES, type RateLimitNames } from './verdict';
import { isApiPath, routeGroupOf } from './routes';
import { DEFAULT_POLICIES, type RouteGroup } from './policies';

/** What middleware knows of a request: its group, its client, and the session cookie if it sent one. */
export interface MiddlewareCheck extends Pick<RateLimitRequest<RouteGroup>, 'group' | 'ip'> {
  /** Resolved to the signed-in user by the Node side, so `api` limits count per user, not per cookie. */
  sessionToken?: string;
}

export type DecideFn = (check: MiddlewareCheck) => Promise<Pick<RateLimitDecision, 'allowed' | 'status' | 'headers' | 'retryAfterSeconds'>>;

/** The session token a request carries under the configured cookie name (no other name counts). */
export function sessionTokenOf(request: Pick<NextRequest, 'cookies'>, names: RateLimitNames = DEFAULT_NAMES): string | undefined {
  return request.cookies.get(names.sessionCookie)?.value || undefined;
}

export async function handleRateLimit(
  request: NextRequest,
  decide: DecideFn | null,
  trusted: TrustedProxies,
  names: RateLimitNames = DEFAULT_NAMES,
  /** Set on the request the app sees (e.g. the page's Content-Security-Policy, where Next finds its nonce). */
  addRequestHeaders: Record<string, string> = {},
): Promise<NextResponse | Response> {
  const forwarded = new Headers(request.headers);
  for (const [name, value] of Object.entries(addRequestHeaders)) forwarded.set(name, value);
  forwarded.delete(names.verdictHeader);
  forwarded.delete(names.groupHeader);
  const group = routeGroupOf(request.method, request.nextUrl.pathname);
  if (!group || !decide) return NextResponse.next({ request: { headers: forwarded } });

  const ip = resolveClientIp(request.headers.get(names.peerHeader), request.headers.get('x-forwarded-for'), trusted);
  const sessionToken = sessionTokenOf(request, names);
  let decision: Awaited<ReturnType<DecideFn>>;
  try {
    decision = await decide({ group, ip, sessionToken });
  } catch (error) {
    // The limiter itself is unreachable (the Edge bridge is down): the group's own failure mode decides.
    reportUnreachable(error);
    if (DEFAULT_POLICIES[group].onStoreFailure === 'open') return NextResponse.next({ request: { headers: forwarded } });
    decision = { allowed: false, status: 503, headers: { 'Retry-After': String(UNREACHABLE_RETRY_SECONDS) }, retryAfterSeconds: UNREACHABLE_RETRY_SECONDS };
  }
  forwarded.set(names.groupHeader, group);
  if (decision.allowed) {
    return withHeaders(NextResponse.next({ request: { headers: forwarded } }), decision.headers);
  }
  const status = decision.status === 503 ? 503 : 429;
  if (isApiPath(request.nextUrl.pathname)) {
    return problemFor(status, limitMessage(status, decision.retryAfterSeconds), { retryAfter: decision.retryAfterSeconds }, decision.headers);
  }
  forwarded.set(names.verdictHeader, encodeVerdict(status, decision.retryAfterSeconds));
  return withHeaders(NextResponse.next({ request: { headers: forwarded } }), decision.headers);
}

const UNREACHABLE_RETRY_SECONDS = 5;
let lastReported = 0;

/** Once a minute at most: a dead limiter under load must not flood the log. */
function reportUnreachable(error: unknown) {
  const now = Date.now();
  if (now - lastReported < 60_000) return;
  lastReported = now;
  console.error(
    `[rate-limit] limiter unreachable (${error instanceof Error ? error.message : 'error'}): fail-open groups are served unlimited, the others answer 503`,
  );
}

function withHeaders(response: NextResponse, headers: Record<string, string>): NextResponse {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

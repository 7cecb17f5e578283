/**
 * A rate limit in Next.js middleware, on either runtime: find the request's group and client, ask
 * `decide` (a limiter on Node; `bridgeDecide` on the Edge), and answer. Allowed requests go on with the
 * RateLimit header fields; refused ones get `onLimited`'s answer (by default a 429 problem+json with
 * Retry-After). When `decide` itself fails (the bridge is down), `failOpen(group)` says whether the request
 * goes on unlimited or is answered 503. Edge-safe.
 */
import { NextResponse, type NextRequest } from 'next/server.js';
import { resolveClientIp, type TrustedProxies } from '../limiter/client-ip.js';
import type { Decide, LimitDecision } from './types.js';

export interface LimitRequestOptions<G extends string> {
  /** The request's route group, or null when no limit applies. */
  group: (request: NextRequest) => G | null;
  /** null: limits are off (requests still lose any header named in `stripHeaders`). */
  decide: Decide<G> | null;
  /** Whose X-Forwarded-For to believe (parseTrustedProxies('1') behind one proxy). @default null: the peer only */
  trustedProxies?: TrustedProxies;
  /**
   * The request header carrying the client's socket address, which middleware cannot see: one your proxy
   * overwrites on every request (nginx: `proxy_set_header X-Real-IP $remote_addr;` → 'x-real-ip'). A header
   * nothing overwrites is the client's to forge. No default: the choice is yours to make.
   */
  peerHeader: string;
  /** The cookie whose value is passed as `sessionToken`. @default none */
  sessionCookie?: string;
  /** Whether a group is served unlimited when the limiter cannot be reached. @default () => false */
  failOpen?: (group: G) => boolean;
  /** The answer to a refused request. @default a problem+json 429 (or 503) with the header fields */
  onLimited?: (request: NextRequest, decision: LimitDecision, next: NextFn) => Response | NextResponse;
  /** Set on the request the app sees (e.g. a Content-Security-Policy carrying a nonce). @default {} */
  requestHeaders?: Record<string, string>;
  /** Removed from the request before the app sees it (headers only middleware may set). @default [] */
  stripHeaders?: string[];
  /** Told when `decide` failed, at most once a minute. @default console.error */
  onUnreachable?: (error: unknown) => void;
}

/** Lets the request go on, with these response headers and these added to the request the app sees. */
export type NextFn = (
  responseHeaders?: Record<string, string>,
  requestHeaders?: Record<string, string>,
) => NextResponse;

const UNREACHABLE_RETRY_SECONDS = 5;

function problem(status: number, detail: string, headers: Record<string, string>): Response {
  return new Response(
    JSON.stringify({
      type: 'about:blank',
      title: status === 429 ? 'Too Many Requests' : 'Service Unavailable',
      status,
      detail,
    }),
    {
      status,
      headers: { ...headers, 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' },
    },
  );
}

export function defaultLimitedResponse(decision: LimitDecision): Response {
  const status = decision.status === 503 ? 503 : 429;
  const detail =
    status === 503
      ? 'Rate limiting is unavailable; try again shortly.'
      : `Too many requests: try again in ${decision.retryAfterSeconds} second${decision.retryAfterSeconds === 1 ? '' : 's'}.`;
  return problem(status, detail, decision.headers);
}

export function limitedMiddleware<G extends string>(
  options: LimitRequestOptions<G>,
): (request: NextRequest) => Promise<Response | NextResponse> {
  return (request) => limitRequest(request, options);
}

let lastReported = 0;

export async function limitRequest<G extends string>(
  request: NextRequest,
  options: LimitRequestOptions<G>,
): Promise<Response | NextResponse> {
  const forwarded = new Headers(request.headers);
  for (const name of options.stripHeaders ?? []) forwarded.delete(name);
  for (const [name, value] of Object.entries(options.requestHeaders ?? {})) forwarded.set(name, value);
  const next: NextFn = (responseHeaders = {}, requestHeaders = {}) => {
    for (const [name, value] of Object.entries(requestHeaders)) forwarded.set(name, value);
    const response = NextResponse.next({ request: { headers: forwarded } });
    for (const [name, value] of Object.entries(responseHeaders)) response.headers.set(name, value);
    return response;
  };
  const group = options.group(request);
  if (!group || !options.decide) return next();

  const ip = resolveClientIp(
    request.headers.get(options.peerHeader),
    request.headers.get('x-forwarded-for'),
    options.trustedProxies ?? null,
  );
  const sessionToken = options.sessionCookie
    ? request.cookies.get(options.sessionCookie)?.value || undefined
    : undefined;
  let decision: LimitDecision;
  try {
    decision = await options.decide({ group, ip, sessionToken });
  } catch (error) {
    if (Date.now() - lastReported > 60_000) {
      lastReported = Date.now();
      (
        options.onUnreachable ??
        ((e: unknown) =>
          console.error(`[rate-limit] limiter unreachable (${e instanceof Error ? e.message : 'error'})`))
      )(error);
    }
    if (options.failOpen?.(group)) return next();
    decision = {
      allowed: false,
      status: 503,
      headers: { 'Retry-After': String(UNREACHABLE_RETRY_SECONDS) },
      retryAfterSeconds: UNREACHABLE_RETRY_SECONDS,
    };
  }
  if (decision.allowed) return next(decision.headers);
  const limited = options.onLimited ? options.onLimited(request, decision, next) : defaultLimitedResponse(decision);
  for (const [name, value] of Object.entries(decision.headers))
    if (!limited.headers.has(name)) limited.headers.set(name, value);
  return limited;
}

/**
 * An Upstash-style answer (`ratelimit.limit(id)`) as a decision with the RateLimit header fields, so a
 * `Ratelimit` can be the `decide` of middleware: `decide: ({ ip }) => ratelimit.limit(ip).then((r) => decisionOf(r, 'api'))`.
 */
export function decisionOf(
  response: { success: boolean; limit: number; remaining: number; reset: number },
  name: string,
  windowSeconds?: number,
): LimitDecision {
  const resetSeconds = Math.max(0, Math.ceil((response.reset - Date.now()) / 1000));
  const retryAfterSeconds = Math.max(1, resetSeconds);
  const headers: Record<string, string> = { RateLimit: `"${name}";r=${response.remaining};t=${resetSeconds}` };
  if (windowSeconds !== undefined) headers['RateLimit-Policy'] = `"${name}";q=${response.limit};w=${windowSeconds}`;
  if (!response.success) headers['Retry-After'] = String(retryAfterSeconds);
  return { allowed: response.success, status: response.success ? 200 : 429, headers, retryAfterSeconds };
}

/**
 * How middleware tells a server action what it did. A rejected form post is not answered by middleware (a
 * bare 429 would break the page); it reaches the action with VERDICT_HEADER, and the action returns a
 * readable message instead. GROUP_HEADER names the group whose per-IP limits middleware applied, so the
 * action adds only the per-account ones; without it (an action posted to another page's path, which Next
 * accepts) the action applies them all. Middleware sets or removes both headers on every request, so a
 * client cannot send its own. Edge-safe.
 */
import { describeWait } from '@zigznote/ratelimit/limiter';

/** Where the Node server stamps the socket address of every request (peer-stamp.ts). */
export const PEER_HEADER = 'x-zigznote-peer-ip';
export const VERDICT_HEADER = 'x-zigznote-rate-limit';
export const GROUP_HEADER = 'x-zigznote-rate-limit-group';

/**
 * The names the toolkit uses between middleware, server code and the Node server: another app passes its
 * own (its session cookie, its header prefix); ours are the defaults.
 */
export interface RateLimitHeaderNames {
  /** Where the Node server stamps the socket address (see peer-stamp.ts). */
  peerHeader: string;
  verdictHeader: string;
  groupHeader: string;
}

export interface RateLimitNames extends RateLimitHeaderNames {
  /**
   * The cookie that carries a session token, for per-user `api` limits: one name, never a fallback list.
   * The app's auth names it (lib/auth/cookie-names.ts); middleware passes it in.
   */
  sessionCookie: string;
}

export const DEFAULT_NAMES: RateLimitHeaderNames = {
  peerHeader: PEER_HEADER,
  verdictHeader: VERDICT_HEADER,
  groupHeader: GROUP_HEADER,
};

/** The group middleware already limited this request under, if any. */
export function limitedGroup(
  headers: { get(name: string): string | null },
  names: RateLimitHeaderNames = DEFAULT_NAMES,
): string | null {
  return headers.get(names.groupHeader);
}

export interface RateLimitVerdict {
  status: 429 | 503;
  retryAfterSeconds: number;
  message: string;
}

export function encodeVerdict(status: 429 | 503, retryAfterSeconds: number): string {
  return `${status};${retryAfterSeconds}`;
}

export function readVerdict(
  headers: { get(name: string): string | null },
  names: RateLimitHeaderNames = DEFAULT_NAMES,
): RateLimitVerdict | null {
  const value = headers.get(names.verdictHeader);
  const match = value ? /^(429|503);(\d+)$/.exec(value) : null;
  if (!match) return null;
  const status = Number(match[1]) as 429 | 503;
  const retryAfterSeconds = Number(match[2]);
  return { status, retryAfterSeconds, message: limitMessage(status, retryAfterSeconds) };
}

export function limitMessage(status: 429 | 503, retryAfterSeconds: number): string {
  return status === 429
    ? `Too many attempts. Please wait ${describeWait(retryAfterSeconds)} and try again.`
    : `This is temporarily unavailable. Please try again in ${describeWait(retryAfterSeconds)}.`;
}

/**
 * How middleware tells a server action that its request was rate limited. A rejected form post is not
 * answered by middleware (a bare 429 would break the page); it reaches the action with this request
 * header, and the action returns a readable message instead. Middleware sets or removes the header on
 * every request, so a client cannot send its own. Edge-safe.
 */
import { describeWait } from './headers';

export const VERDICT_HEADER = 'x-zigznote-rate-limit';

export interface RateLimitVerdict {
  status: 429 | 503;
  retryAfterSeconds: number;
  message: string;
}

export function encodeVerdict(status: 429 | 503, retryAfterSeconds: number): string {
  return `${status};${retryAfterSeconds}`;
}

export function readVerdict(headers: { get(name: string): string | null }): RateLimitVerdict | null {
  const value = headers.get(VERDICT_HEADER);
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

/**
 * The response header fields of draft-ietf-httpapi-ratelimit-headers (revision 10 syntax):
 * `RateLimit-Policy: "login";q=5;w=900` and `RateLimit: "login";r=2;t=540`, plus `Retry-After` on
 * rejection, in whole seconds rounded up so a client that waits that long gets through. Edge-safe.
 */
import type { CheckOutcome } from './types.js';

export function rateLimitHeaders(outcome: CheckOutcome): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Policy': outcome.limits
      .map((l) => `"${l.name}";q=${l.limit};w=${Math.round(l.windowMs / 1000)}`)
      .join(', '),
    RateLimit: outcome.limits.map((l) => `"${l.name}";r=${l.remaining};t=${Math.ceil(l.resetMs / 1000)}`).join(', '),
  };
  if (!outcome.allowed) headers['Retry-After'] = String(retryAfterSeconds(outcome));
  return headers;
}

/** Milliseconds until every blocking limit (one with no hit left) has room again. */
export function blockingResetMs(outcome: CheckOutcome): number {
  return Math.max(0, ...outcome.limits.filter((l) => l.remaining === 0).map((l) => l.resetMs));
}

/** The same, in whole seconds rounded up, at least 1. */
export function retryAfterSeconds(outcome: CheckOutcome): number {
  return Math.max(1, Math.ceil(blockingResetMs(outcome) / 1000));
}

/** "3 minutes", "45 seconds": how long to wait, for people. */
export function describeWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

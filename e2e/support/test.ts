// The `test` every browser journey imports: Playwright's, with a watch on the network. Each request the
// page (or any page of its context) makes to the app must finish within `slowMs`, and when the test ends
// none may still be pending after `pendingMs`: a page that never settles fails the journey that caused it,
// whatever the journey itself checked. Journeys wait for elements, not for the network; this is what
// catches a fetch that hangs behind a rendered page (issue 27: prefetches after a login redirect). It also
// fails the journey on any Content-Security-Policy violation the browser reports (issue 26): a script,
// style or connection the policy refuses is a feature broken in production, whatever else passed.
import { test as base, expect, type BrowserContext, type ConsoleMessage, type Request } from '@playwright/test';

export { expect };
export type { Page, Request } from '@playwright/test';

export interface AppRequestLimits {
  /** A request to the app that takes longer than this fails the test (loopback, production build). */
  slowMs: number;
  /**
   * The same for the form posts that hash a password (log in, sign up, reset, unlock, change password):
   * scrypt at N=2^17 takes 0.4–0.6 s here, and changing a password hashes twice.
   */
  hashingSlowMs: number;
  /**
   * The same for the router's prefetches: background work nobody waits for, and the first one of a
   * prerendered page renders it again (the Redis cache is per build), up to a second on a busy 2-core
   * machine. Still never left pending.
   */
  prefetchSlowMs: number;
  /** At the end of the test, a request still pending after this long fails it. */
  pendingMs: number;
}

export const DEFAULT_APP_REQUEST_LIMITS: AppRequestLimits = { slowMs: 1_000, hashingSlowMs: 3_000, prefetchSlowMs: 3_000, pendingMs: 2_000 };

const HASHING_FORM_POSTS = new Set(['/auth/login', '/auth/signup', '/auth/reset-password', '/auth/unlock', '/account']);

interface Watched {
  url: string;
  method: string;
  type: string;
  prefetch: boolean;
  startedAt: number;
}

/** Watches one browser context's requests to `appOrigin`; `check()` waits for stragglers, then asserts. */
export function watchAppRequests(context: BrowserContext, appOrigin: string, limits: AppRequestLimits = DEFAULT_APP_REQUEST_LIMITS) {
  const pending = new Map<Request, Watched>();
  const problems: string[] = [];
  const describe = (watched: Watched) => `${watched.method} ${watched.url.replace(appOrigin, '')} (${watched.type}${watched.prefetch ? ', prefetch' : ''})`;
  const onStart = (request: Request) => {
    if (!request.url().startsWith(appOrigin)) return;
    const headers = request.headers();
    const prefetch = 'next-router-prefetch' in headers || 'next-router-segment-prefetch' in headers;
    pending.set(request, { url: request.url(), method: request.method(), type: request.resourceType(), prefetch, startedAt: Date.now() });
  };
  const onEnd = (request: Request) => {
    const watched = pending.get(request);
    if (!watched) return;
    pending.delete(request);
    const took = Date.now() - watched.startedAt;
    const hashes = watched.method === 'POST' && HASHING_FORM_POSTS.has(new URL(watched.url).pathname);
    const limit = hashes ? limits.hashingSlowMs : watched.prefetch ? limits.prefetchSlowMs : limits.slowMs;
    const failure = request.failure();
    if (took > limit) problems.push(`${describe(watched)} took ${took} ms (limit ${limit} ms)${failure ? `, then failed: ${failure.errorText}` : ''}`);
  };
  const onConsole = (message: ConsoleMessage) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP violation on ${message.location().url || 'a page'}: ${message.text()}`);
  };
  context.on('request', onStart);
  context.on('requestfinished', onEnd);
  context.on('requestfailed', onEnd);
  context.on('console', onConsole);
  return {
    async check(): Promise<void> {
      const deadline = Math.max(Date.now(), ...[...pending.values()].map((watched) => watched.startedAt + limits.pendingMs));
      while (pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      context.off('request', onStart);
      context.off('requestfinished', onEnd);
      context.off('requestfailed', onEnd);
      context.off('console', onConsole);
      for (const watched of pending.values()) problems.push(`${describe(watched)} still pending after ${Date.now() - watched.startedAt} ms`);
      expect(problems, 'every request to the app finishes, quickly, none is left pending, and the CSP refuses nothing').toEqual([]);
    },
  };
}

export const test = base.extend<{ appRequestLimits: AppRequestLimits }>({
  appRequestLimits: [DEFAULT_APP_REQUEST_LIMITS, { option: true }],
  // Checked before the page closes (closing would abort what is still pending and hide it).
  page: async ({ page, baseURL, appRequestLimits }, provide) => {
    const watch = baseURL ? watchAppRequests(page.context(), new URL(baseURL).origin, appRequestLimits) : null;
    await provide(page);
    await watch?.check();
  },
});

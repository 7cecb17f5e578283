// The `test` every browser journey imports: Playwright's, with @zigznote/playwright-kit's watch on the
// network, given this app's limits. Each request the
// page (or any page of its context) makes to the app must finish within `slowMs`, and when the test ends
// none may still be pending after `pendingMs`: a page that never settles fails the journey that caused it,
// whatever the journey itself checked. Journeys wait for elements, not for the network; this is what
// catches a fetch that hangs behind a rendered page (issue 27: prefetches after a login redirect). It also
// fails the journey on any Content-Security-Policy violation the browser reports (issue 26): a script,
// style or connection the policy refuses is a feature broken in production, whatever else passed.
import { test as base, expect, type BrowserContext } from '@playwright/test';
import {
  watchAppRequests as watchRequests,
  type RequestWatch,
  type RequestWatchLimits,
} from '@zigznote/playwright-kit';

export { expect };
export type { BrowserContext, Page, Request } from '@playwright/test';

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

export const DEFAULT_APP_REQUEST_LIMITS: AppRequestLimits = {
  slowMs: 1_000,
  hashingSlowMs: 3_000,
  prefetchSlowMs: 3_000,
  pendingMs: 2_000,
};

const HASHING_FORM_POSTS = ['/auth/login', '/auth/signup', '/auth/reset-password', '/auth/unlock', '/account'];

/** The app's limits, in the shape of the kit's request watch. */
function watchLimits(limits: AppRequestLimits): RequestWatchLimits {
  return {
    slowMs: limits.slowMs,
    prefetchSlowMs: limits.prefetchSlowMs,
    pendingMs: limits.pendingMs,
    slowerRequests: HASHING_FORM_POSTS.map((path) => ({ method: 'POST', path, slowMs: limits.hashingSlowMs })),
  };
}

/** Watches one browser context's requests to `appOrigin`; `check()` waits for stragglers, then asserts. */
export function watchAppRequests(
  context: BrowserContext,
  appOrigin: string,
  limits: AppRequestLimits = DEFAULT_APP_REQUEST_LIMITS,
): RequestWatch {
  return watchRequests(context, appOrigin, watchLimits(limits));
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

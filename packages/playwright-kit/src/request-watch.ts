import type { BrowserContext, ConsoleMessage, Request } from '@playwright/test';

/**
 * A journey that waits for elements can pass while a fetch hangs behind the rendered page. The watch
 * records every request a browser context makes to the app; `check()` fails on a request slower than its
 * limit, one still pending `pendingMs` after the journey, and any Content-Security-Policy violation the
 * browser reports (a refused script or connection is a feature broken in production).
 */
export interface RequestWatchLimits {
  /** A request to the app slower than this fails the check. @default 1000 */
  slowMs?: number;
  /** The router's prefetches (background work nobody waits for). @default 3000 */
  prefetchSlowMs?: number;
  /** When the journey ends, a request still pending after this long fails it. @default 2000 */
  pendingMs?: number;
  /** Requests allowed longer than `slowMs`, e.g. form posts that hash a password. @default none */
  slowerRequests?: ReadonlyArray<{ method?: string; path: string; slowMs: number }>;
}

export interface RequestWatch {
  /** Waits for stragglers up to `pendingMs`, stops watching, and throws the list of problems, if any. */
  check(): Promise<void>;
  /** What the watch has found so far. */
  problems(): string[];
}

interface Watched {
  url: string;
  method: string;
  type: string;
  prefetch: boolean;
  startedAt: number;
}

export function watchAppRequests(
  context: BrowserContext,
  appOrigin: string,
  limits: RequestWatchLimits = {},
): RequestWatch {
  const { slowMs = 1_000, prefetchSlowMs = 3_000, pendingMs = 2_000, slowerRequests = [] } = limits;
  const pending = new Map<Request, Watched>();
  const problems: string[] = [];
  const describe = (watched: Watched) =>
    `${watched.method} ${watched.url.replace(appOrigin, '')} (${watched.type}${watched.prefetch ? ', prefetch' : ''})`;
  const limitOf = (watched: Watched) => {
    const path = new URL(watched.url).pathname;
    const slower = slowerRequests.find(
      (rule) => rule.path === path && (!rule.method || rule.method === watched.method),
    );
    return slower ? slower.slowMs : watched.prefetch ? prefetchSlowMs : slowMs;
  };
  const onStart = (request: Request) => {
    if (!request.url().startsWith(appOrigin)) return;
    const headers = request.headers();
    const prefetch = 'next-router-prefetch' in headers || 'next-router-segment-prefetch' in headers;
    pending.set(request, {
      url: request.url(),
      method: request.method(),
      type: request.resourceType(),
      prefetch,
      startedAt: Date.now(),
    });
  };
  const onEnd = (request: Request) => {
    const watched = pending.get(request);
    if (!watched) return;
    pending.delete(request);
    const took = Date.now() - watched.startedAt;
    const limit = limitOf(watched);
    const failure = request.failure();
    if (took > limit)
      problems.push(
        `${describe(watched)} took ${took} ms (limit ${limit} ms)${failure ? `, then failed: ${failure.errorText}` : ''}`,
      );
  };
  const onConsole = (message: ConsoleMessage) => {
    if (/Content Security Policy/i.test(message.text()))
      problems.push(`CSP violation on ${message.location().url || 'a page'}: ${message.text()}`);
  };
  context.on('request', onStart);
  context.on('requestfinished', onEnd);
  context.on('requestfailed', onEnd);
  context.on('console', onConsole);
  return {
    problems: () => [...problems],
    async check() {
      const deadline = Math.max(Date.now(), ...[...pending.values()].map((watched) => watched.startedAt + pendingMs));
      while (pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      context.off('request', onStart);
      context.off('requestfinished', onEnd);
      context.off('requestfailed', onEnd);
      context.off('console', onConsole);
      for (const watched of pending.values())
        problems.push(`${describe(watched)} still pending after ${Date.now() - watched.startedAt} ms`);
      if (problems.length > 0) {
        throw new Error(
          `every request to the app finishes, quickly, none is left pending, and the CSP refuses nothing; found:\n- ${problems.join('\n- ')}`,
        );
      }
    },
  };
}

/**
 * Error tracking on the Node server through the Sentry SDK, to GlitchTip (or any Sentry-protocol
 * endpoint), only when SENTRY_DSN is set. Events are scrubbed before they leave; nothing is sent at build
 * time (no source maps, no release upload). @sentry/nextjs is loaded by initServerErrorTracking only, so
 * a process that never starts error tracking (scripts, tests) never loads it. Node-only.
 */
import { processState } from '../runtime';
import { scrubEvent, scrubValue } from './scrub';

type SentryModule = typeof import('@sentry/nextjs');

const state = processState('error-tracking', () => ({ sentry: undefined as SentryModule | undefined }));

export async function initServerErrorTracking(dsn: string | undefined, environment: string): Promise<void> {
  if (!dsn || state.sentry) return;
  const sentry = await import('@sentry/nextjs');
  sentry.init({
    dsn,
    environment,
    tracesSampleRate: 0,
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
  });
  state.sentry = sentry;
}

export function isErrorTrackingEnabled(): boolean {
  return state.sentry !== undefined;
}

/** Reports an exception when error tracking is on; does nothing otherwise. */
export function captureException(error: unknown): void {
  state.sentry?.captureException(error);
}

/** Reports a message (with tags, never an address or a token) when error tracking is on. */
export function captureMessage(
  message: string,
  context: { level: 'error' | 'warning'; tags: Record<string, string> },
): void {
  state.sentry?.captureMessage(message, context);
}

/** Next's onRequestError, forwarded when error tracking is on. */
export function captureRequestError(...args: Parameters<SentryModule['captureRequestError']>): void {
  state.sentry?.captureRequestError(...args);
}

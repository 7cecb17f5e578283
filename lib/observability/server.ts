/**
 * Error tracking on the Node server through the Sentry SDK, to GlitchTip (or any Sentry-protocol
 * endpoint), only when SENTRY_DSN is set. Events are scrubbed before they leave; nothing is sent at build
 * time (no source maps, no release upload). Node-only.
 */
import * as Sentry from '@sentry/nextjs';
import { processState } from '../runtime/process-state';
import { scrubEvent, scrubValue } from './scrub';

const state = processState('error-tracking', () => ({ enabled: false }));

export function initServerErrorTracking(dsn: string | undefined, environment: string): void {
  if (!dsn || state.enabled) return;
  Sentry.init({
    dsn,
    environment,
    tracesSampleRate: 0,
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
  });
  state.enabled = true;
}

export function isErrorTrackingEnabled(): boolean {
  return state.enabled;
}

export { Sentry };

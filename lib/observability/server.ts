/**
 * Error tracking on the Node server through the Sentry SDK, to GlitchTip (or any Sentry-protocol
 * endpoint), only when SENTRY_DSN is set. Events are scrubbed before they leave; nothing is sent at build
 * time (no source maps, no release upload). Node-only.
 */
import * as Sentry from '@sentry/nextjs';
import { scrubEvent, scrubValue } from './scrub';

let enabled = false;

export function initServerErrorTracking(dsn: string | undefined, environment: string): void {
  if (!dsn || enabled) return;
  Sentry.init({
    dsn,
    environment,
    tracesSampleRate: 0,
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
  });
  enabled = true;
}

export function isErrorTrackingEnabled(): boolean {
  return enabled;
}

export { Sentry };

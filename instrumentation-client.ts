/**
 * Runs in the browser before the app hydrates: starts error tracking when the server has a DSN configured
 * (GET /api/observability says which), with events scrubbed as on the server. A deployment without
 * GlitchTip pays one small request and never loads the Sentry SDK.
 */
import { scrubEvent, scrubValue } from './lib/observability/client';

async function startErrorTracking() {
  const response = await fetch('/api/observability').catch(() => null);
  const { dsn } = ((await response?.json().catch(() => null)) ?? { dsn: null }) as { dsn: string | null };
  if (!dsn) return;
  const Sentry = await import('@sentry/nextjs');
  Sentry.init({
    dsn,
    tracesSampleRate: 0,
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
  });
}

void startErrorTracking();

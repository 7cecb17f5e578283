'use client';

import { useEffect } from 'react';
import { scrubEvent, scrubValue } from '@/lib/observability';

// Starts browser error tracking once, if the server has a DSN configured. Loaded after the page, so a
// deployment without GlitchTip pays nothing but one small request.
export function ErrorReporting() {
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      const response = await fetch('/api/observability').catch(() => null);
      const { dsn } = ((await response?.json().catch(() => null)) ?? { dsn: null }) as { dsn: string | null };
      if (!dsn || cancelled) return;
      const Sentry = await import('@sentry/nextjs');
      Sentry.init({
        dsn,
        tracesSampleRate: 0,
        beforeSend: (event) => scrubEvent(event),
        beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
      });
    })();
    return () => {
      cancelled = true;
    };
  }, []);
  return null;
}

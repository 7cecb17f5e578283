/**
 * Error tracking for jobs that run outside Next (scripts/backup): the Sentry Node SDK itself, since
 * @sentry/nextjs resolves to its browser build when loaded by tsx, with the same scrubbing as the server.
 * Reports only when SENTRY_DSN is set, and loads the SDK only then. Node-only.
 */
import { scrubEvent, scrubValue } from './scrub';

/** Sends `error` tagged with the job's name and waits (up to 5 s) until it left; no-op without a DSN. */
export async function reportJobFailure(
  dsn: string | undefined,
  environment: string,
  job: string,
  error: unknown,
): Promise<void> {
  if (!dsn) return;
  const Sentry = await import('@sentry/node');
  if (!Sentry.getClient()) {
    Sentry.init({
      dsn,
      environment,
      tracesSampleRate: 0,
      defaultIntegrations: false,
      beforeSend: (event) => scrubEvent(event),
      beforeBreadcrumb: (breadcrumb) => scrubValue(breadcrumb) as typeof breadcrumb,
    });
  }
  Sentry.captureException(error, { tags: { job } });
  await Sentry.flush(5_000);
}

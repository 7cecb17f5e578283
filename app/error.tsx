'use client';

import { unstable_isUnrecognizedActionError as isFromAnOlderBuild } from 'next/navigation';
import { useEffect } from 'react';

const RELOADED_AT = 'zigznote:reloaded-for-new-build';

// A page that failed to render (a service not answering, say) shows this instead of a blank error.
// A form from a build that is no longer running (its skew window ended, docs/deployment.md) reloads the
// page once, into the current build, instead of failing: what the person typed is asked for again.
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const outdated = isFromAnOlderBuild(error);
  useEffect(() => {
    if (outdated) {
      // Once: a reload that lands on the same old page again must not loop.
      const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
      if (Date.now() - last > 30_000) {
        sessionStorage.setItem(RELOADED_AT, String(Date.now()));
        window.location.reload();
      }
      return;
    }
    void import('@sentry/nextjs').then((Sentry) => Sentry.captureException(error));
  }, [error, outdated]);
  if (outdated) {
    return (
      <section className="auth-page">
        <h1>A new version is out</h1>
        <p role="status" className="alert">
          This page came from the previous version of the app. Reloading it; nothing was sent.
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </section>
    );
  }
  return (
    <section className="auth-page">
      <h1>This page could not load</h1>
      <p role="alert" className="alert alert-error">
        Something on our side is not answering. Your data is safe; please try again in a moment.
      </p>
      <button type="button" onClick={() => reset()}>
        Try again
      </button>
    </section>
  );
}

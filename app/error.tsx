'use client';

import { useEffect } from 'react';

// A page that failed to render (a service not answering, say) shows this instead of a blank error.
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    void import('@sentry/nextjs').then((Sentry) => Sentry.captureException(error));
  }, [error]);
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

'use client';

import { useEffect } from 'react';
import './globals.css';

// The last resort when the root layout itself fails: a readable page, and the error reported. Styled by the
// stylesheet, not a style attribute: the Content-Security-Policy refuses inline styles.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    void import('@sentry/nextjs').then((Sentry) => Sentry.captureException(error));
  }, [error]);
  return (
    <html lang="en">
      <body>
        <main>
          <h1>Something went wrong</h1>
          <p>We have been told about it. Please try again.</p>
          <button type="button" onClick={() => reset()}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}

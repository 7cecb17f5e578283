'use client';

import { useSearchParams } from 'next/navigation';

const notices: Record<string, string> = {
  reset: 'Your password was changed and every session signed out. Log in with your new password.',
  'signed-out': 'You are logged out.',
  'session-ended': 'This session was signed out, here or from another device. Log in again to continue.',
  verified: 'Your email address is verified. Log in to continue.',
};

/** Read in the browser: the notice is the same page with a word on top, not a page of its own. */
export function LogInNotice() {
  const notice = useSearchParams().get('notice');
  const text = notice ? notices[notice] : undefined;
  if (!text) return null;
  return (
    <p role="status" className="alert alert-success">
      {text}
    </p>
  );
}

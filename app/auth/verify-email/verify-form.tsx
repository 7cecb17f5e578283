'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { FormAlert, SubmitButton } from '../form-parts';
import { verifyEmailAction } from './actions';
import { AppLink } from '@/app/links/app-link';

// The link only opens this page; the token is redeemed when a person presses the button, so mail
// scanners and link previews (even those that run scripts) cannot use it up.
export function VerifyEmailForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(verifyEmailAction, {});
  return (
    <form action={action} className="auth-form">
      <FormAlert state={state} />
      <input type="hidden" name="token" value={token} />
      {!state.error && <SubmitButton>Verify email address</SubmitButton>}
      {state.error && <AppLink href="/auth/login">Log in to get a new link</AppLink>}
    </form>
  );
}

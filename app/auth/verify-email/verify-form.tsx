'use client';

import { useActionState, useEffect, useRef } from 'react';
import type { FormState } from '@/lib/auth/form-action';
import { FormAlert, SubmitButton } from '../form-parts';
import { verifyEmailAction } from './actions';

// The link only opens this page; the token is redeemed by a POST, so mail scanners and link previews
// (which fetch but do not run scripts) cannot use it up. A browser submits it at once.
export function VerifyEmailForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(verifyEmailAction, {});
  const form = useRef<HTMLFormElement>(null);
  const submitted = useRef(false);
  useEffect(() => {
    if (!submitted.current) {
      submitted.current = true;
      form.current?.requestSubmit();
    }
  }, []);
  return (
    <form ref={form} action={action} className="auth-form">
      <FormAlert state={state} />
      <input type="hidden" name="token" value={token} />
      {!state.error && <SubmitButton>Verify email address</SubmitButton>}
      {state.error && <a href="/auth/login">Log in to get a new link</a>}
    </form>
  );
}

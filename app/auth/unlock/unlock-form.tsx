'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { FormAlert, SubmitButton } from '../form-parts';
import { unlockAccountAction } from './actions';
import { AppLink } from '@/app/links/app-link';

// Redeemed by a person's button press, never on page load: a link scanner cannot use it up.
export function UnlockAccountForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(unlockAccountAction, {});
  return (
    <form action={action} className="auth-form">
      <FormAlert state={state} />
      <input type="hidden" name="token" value={token} />
      {!state.error && <SubmitButton>Unlock and log in</SubmitButton>}
      {state.error && <AppLink href="/auth/login">Log in</AppLink>}
    </form>
  );
}

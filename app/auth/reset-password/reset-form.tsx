'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { FormAlert, NewPasswordField, SubmitButton } from '../form-parts';
import { resetPasswordAction } from './actions';
import { AppLink } from '@/app/links/app-link';

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(resetPasswordAction, {});
  return (
    <form action={action} noValidate className="auth-form">
      <FormAlert state={state} />
      {state.code === 'invalid-token' && (
        <p>
          <AppLink href="/auth/forgot-password">Request a new reset link</AppLink>
        </p>
      )}
      <input type="hidden" name="token" value={token} />
      <NewPasswordField name="password" label="New password" state={state} />
      <SubmitButton>Reset password</SubmitButton>
    </form>
  );
}

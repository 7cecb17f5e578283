'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { Field, FormAlert, SubmitButton } from '../form-parts';
import { logInAction, resendVerificationAction } from './actions';

export function LogInForm() {
  const [state, action] = useActionState<FormState, FormData>(logInAction, {});
  return (
    <>
      <form action={action} noValidate className="auth-form">
        <FormAlert state={state} />
        <Field name="email" label="Email" type="email" autoComplete="email" state={state} />
        <Field name="password" label="Password" type="password" autoComplete="current-password" state={state} />
        <SubmitButton>Log in</SubmitButton>
      </form>
      {state.code === 'invalid-credentials' && <ResendVerification email={state.values?.email ?? ''} />}
    </>
  );
}

function ResendVerification({ email }: { email: string }) {
  const [state, action] = useActionState<FormState, FormData>(resendVerificationAction, {});
  return (
    <form action={action} className="auth-form secondary">
      <input type="hidden" name="email" value={email} />
      {state.message ? <p role="status">{state.message}</p> : state.error ? <p role="alert">{state.error}</p> : null}
      <SubmitButton>Resend verification link</SubmitButton>
    </form>
  );
}

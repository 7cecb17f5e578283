'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { Field, FormAlert, SubmitButton } from '../form-parts';
import { forgotPasswordAction } from './actions';

export function ForgotPasswordForm() {
  const [state, action] = useActionState<FormState, FormData>(forgotPasswordAction, {});
  if (state.ok) return <FormAlert state={state} />;
  return (
    <form action={action} noValidate className="auth-form">
      <FormAlert state={state} />
      <Field name="email" label="Email" type="email" autoComplete="email" state={state} />
      <SubmitButton>Send reset link</SubmitButton>
    </form>
  );
}

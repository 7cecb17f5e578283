'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { Field, FormAlert, NewPasswordField, SubmitButton } from '../form-parts';
import { signUpAction } from './actions';

export function SignUpForm() {
  const [state, action] = useActionState<FormState, FormData>(signUpAction, {});
  if (state.ok) return <FormAlert state={state} />;
  return (
    <form action={action} noValidate className="auth-form">
      <FormAlert state={state} />
      <Field name="name" label="Name" autoComplete="name" state={state} />
      <Field name="email" label="Email" type="email" autoComplete="email" state={state} />
      <NewPasswordField name="password" label="Password" state={state} />
      <SubmitButton>Sign up</SubmitButton>
    </form>
  );
}

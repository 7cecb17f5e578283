'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/form-action';
import { Field, FormAlert, SubmitButton } from '../form-parts';
import { signUpAction } from './actions';
import { NEW_PASSWORD_HINT } from '@/lib/auth/password-rules';

export function SignUpForm() {
  const [state, action] = useActionState<FormState, FormData>(signUpAction, {});
  if (state.ok) return <FormAlert state={state} />;
  return (
    <form action={action} noValidate className="auth-form">
      <FormAlert state={state} />
      <Field name="name" label="Name" autoComplete="name" state={state} />
      <Field name="email" label="Email" type="email" autoComplete="email" state={state} />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        state={state}
        hint={NEW_PASSWORD_HINT}
      />
      <SubmitButton>Sign up</SubmitButton>
    </form>
  );
}

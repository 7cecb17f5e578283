'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { Field, FormAlert, NewPasswordField, SubmitButton } from '../auth/form-parts';
import { changePasswordAction, logOutAction, logOutEverywhereAction } from './actions';

export function ChangePasswordForm() {
  const [state, action] = useActionState<FormState, FormData>(changePasswordAction, {});
  return (
    <form action={action} noValidate className="auth-form" aria-labelledby="change-password">
      <h2 id="change-password">Change password</h2>
      <FormAlert state={state} />
      <Field
        name="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
        state={state}
      />
      <NewPasswordField name="newPassword" label="New password" state={state} />
      <SubmitButton>Change password</SubmitButton>
    </form>
  );
}

export function LogOutButtons() {
  const [outState, logOut] = useActionState<FormState, FormData>(logOutAction, {});
  const [everywhereState, logOutEverywhere] = useActionState<FormState, FormData>(logOutEverywhereAction, {});
  const error = outState.error ?? everywhereState.error;
  return (
    <div className="button-row">
      {error && <p role="alert">{error}</p>}
      <form action={logOut}>
        <SubmitButton>Log out</SubmitButton>
      </form>
      <form action={logOutEverywhere}>
        <SubmitButton>Log out everywhere</SubmitButton>
      </form>
    </div>
  );
}

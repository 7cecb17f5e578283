'use client';

import { useActionState } from 'react';
import type { FormState } from '@/lib/auth/client';
import { FormAlert, SubmitButton } from '../../auth/form-parts';
import { endOtherSessionsAction, endSessionAction } from './actions';

export function EndSessionButton({ id, label }: { id: string; label: string }) {
  const [state, action] = useActionState<FormState, FormData>(endSessionAction, {});
  return (
    <form action={action}>
      <FormAlert state={state} />
      <input type="hidden" name="id" value={id} />
      <SubmitButton>{label}</SubmitButton>
    </form>
  );
}

export function EndOtherSessionsButton() {
  const [state, action] = useActionState<FormState, FormData>(endOtherSessionsAction, {});
  return (
    <form action={action}>
      <FormAlert state={state} />
      <SubmitButton>Sign out all other sessions</SubmitButton>
    </form>
  );
}

'use client';

import { useActionState } from 'react';
import { sendWelcome } from './actions';

export function WelcomeForm() {
  const [message, action, pending] = useActionState(sendWelcome, '');
  return (
    <form action={action}>
      <label>
        Email <input name="email" type="email" required />
      </label>
      <button type="submit" disabled={pending}>
        Send welcome email
      </button>
      <p role="status">{message}</p>
    </form>
  );
}

'use client';

import { useEffect, useRef, type ReactNode } from 'react';
import { useFormStatus } from 'react-dom';
import type { FormState } from '@/lib/auth/client';
import { NEW_PASSWORD_HINT } from '@/lib/auth/client';

// Pieces every auth form shares: labelled fields that carry their error (aria-invalid, aria-describedby),
// one alert that screen readers announce, and focus moved to what needs attention after each answer.

export function Field({
  name,
  label,
  type = 'text',
  autoComplete,
  state,
  hint,
}: {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  state: FormState;
  hint?: string;
}) {
  const error = state.fieldErrors?.[name];
  const describedBy =
    [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      {hint && (
        <p id={`${name}-hint`} className="hint">
          {hint}
        </p>
      )}
      <input
        id={name}
        name={name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={type === 'password' ? undefined : state.values?.[name]}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        required
      />
      {error && (
        <p id={`${name}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** A field for choosing a password: the password manager offers a new one, the rule is shown beside it. */
export function NewPasswordField({ name, label, state }: { name: string; label: string; state: FormState }) {
  return (
    <Field
      name={name}
      label={label}
      type="password"
      autoComplete="new-password"
      state={state}
      hint={NEW_PASSWORD_HINT}
    />
  );
}

export function FormAlert({ state }: { state: FormState }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!state.error && !state.message) return;
    const firstInvalid = document.querySelector<HTMLInputElement>('[aria-invalid="true"]');
    (firstInvalid ?? ref.current)?.focus();
  }, [state]);
  if (state.error) {
    return (
      <div ref={ref} role="alert" tabIndex={-1} className="alert alert-error">
        {state.error}
      </div>
    );
  }
  if (state.message) {
    return (
      <div ref={ref} role="status" tabIndex={-1} className="alert alert-success">
        {state.message}
      </div>
    );
  }
  return null;
}

export function SubmitButton({ children }: { children: ReactNode }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending} aria-disabled={pending}>
      {pending ? 'Please wait…' : children}
    </button>
  );
}

import type { Metadata } from 'next';
import { AppLink } from '@/app/links/app-link';
import { Suspense } from 'react';
import { LogInForm } from './login-form';
import { LogInNotice } from './login-notice';

export const metadata: Metadata = { title: 'Log in · zigznote' };

export default function LogInPage() {
  return (
    <section className="auth-page">
      <h1>Log in</h1>
      <Suspense fallback={null}>
        <LogInNotice />
      </Suspense>
      <LogInForm />
      <p>
        <AppLink href="/auth/forgot-password">Forgot your password?</AppLink> ·{' '}
        <AppLink href="/auth/signup">Create an account</AppLink>
      </p>
    </section>
  );
}

import type { Metadata } from 'next';
import { ResetPasswordForm } from './reset-form';
import { AppLink } from '@/app/links/app-link';

// The token is in this page's URL: no Referer may carry it to another site.
export const metadata: Metadata = { title: 'Reset your password · zigznote', referrer: 'no-referrer' };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <section className="auth-page">
      <h1>Choose a new password</h1>
      {token ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p role="alert" className="alert alert-error">
          This page needs the link from your reset email.{' '}
          <AppLink href="/auth/forgot-password">Request a new one</AppLink>.
        </p>
      )}
    </section>
  );
}

import type { Metadata } from 'next';
import { VerifyEmailForm } from './verify-form';
import { AppLink } from '@/app/links/app-link';

export const metadata: Metadata = { title: 'Verify your email · zigznote', referrer: 'no-referrer' };

export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <section className="auth-page">
      <h1>Verify your email address</h1>
      {token ? (
        <VerifyEmailForm token={token} />
      ) : (
        <p role="alert" className="alert alert-error">
          This page needs the link from your verification email. <AppLink href="/auth/login">Log in</AppLink> to get a
          new one.
        </p>
      )}
    </section>
  );
}

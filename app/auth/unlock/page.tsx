import type { Metadata } from 'next';
import { UnlockAccountForm } from './unlock-form';
import { AppLink } from '@/app/links/app-link';

// The token is in this page's URL: no Referer may carry it to another site.
export const metadata: Metadata = { title: 'Unlock your account · zigznote', referrer: 'no-referrer' };

export default async function UnlockPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <section className="auth-page">
      <h1>Unlock your account</h1>
      {token ? (
        <>
          <p>Your account was locked after many failed login attempts. Press the button to unlock it and log in.</p>
          <UnlockAccountForm token={token} />
        </>
      ) : (
        <p role="alert" className="alert alert-error">
          This page needs the link from your unlock email. <AppLink href="/auth/login">Log in</AppLink> to get a new
          one.
        </p>
      )}
    </section>
  );
}

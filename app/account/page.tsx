import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getCurrentUser } from '@/lib/auth';
import { ChangePasswordForm, LogOutButtons } from './account-forms';
import { AppLink } from '@/app/links/app-link';

export const metadata: Metadata = { title: 'Account · zigznote' };
export const dynamic = 'force-dynamic';

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ notice?: string }> }) {
  const current = await getCurrentUser();
  if (!current) redirect('/auth/login');
  const { notice } = await searchParams;
  return (
    <section className="auth-page">
      <h1>Your account</h1>
      {notice === 'unlocked' && (
        <p role="status" className="alert alert-success">
          Your account is unlocked and you are logged in. If the failed attempts were not yours, change your password.
        </p>
      )}
      <p>
        Signed in as <strong>{current.user.name}</strong> ({current.user.email}).
      </p>
      <p>
        <AppLink href="/files">Your files</AppLink> ·{' '}
        <AppLink href="/account/sessions">Where you are signed in</AppLink>
      </p>
      <ChangePasswordForm />
      <LogOutButtons />
    </section>
  );
}

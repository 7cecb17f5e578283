import type { Metadata } from 'next';
import { LogInForm } from './login-form';

export const metadata: Metadata = { title: 'Log in · zigznote' };

const notices: Record<string, string> = {
  reset: 'Your password was changed and every session signed out. Log in with your new password.',
  'signed-out': 'You are logged out.',
  verified: 'Your email address is verified. Log in to continue.',
};

export default async function LogInPage({ searchParams }: { searchParams: Promise<{ notice?: string }> }) {
  const { notice } = await searchParams;
  return (
    <section className="auth-page">
      <h1>Log in</h1>
      {notice && notices[notice] && (
        <p role="status" className="alert alert-success">
          {notices[notice]}
        </p>
      )}
      <LogInForm />
      <p>
        <a href="/auth/forgot-password">Forgot your password?</a> · <a href="/auth/signup">Create an account</a>
      </p>
    </section>
  );
}

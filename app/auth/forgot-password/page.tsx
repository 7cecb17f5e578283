import type { Metadata } from 'next';
import { ForgotPasswordForm } from './forgot-form';
import { AppLink } from '@/app/links/app-link';

export const metadata: Metadata = { title: 'Forgot password · zigznote' };

export default function ForgotPasswordPage() {
  return (
    <section className="auth-page">
      <h1>Forgot your password?</h1>
      <p>Enter the address of your account and we will email you a link to choose a new password.</p>
      <ForgotPasswordForm />
      <p>
        <AppLink href="/auth/login">Back to log in</AppLink>
      </p>
    </section>
  );
}

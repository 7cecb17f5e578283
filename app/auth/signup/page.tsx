import type { Metadata } from 'next';
import { SignUpForm } from './signup-form';
import { AppLink } from '@/app/links/app-link';

export const metadata: Metadata = { title: 'Sign up · zigznote' };

export default function SignUpPage() {
  return (
    <section className="auth-page">
      <h1>Create your account</h1>
      <SignUpForm />
      <p>
        Already have an account? <AppLink href="/auth/login">Log in</AppLink>
      </p>
    </section>
  );
}

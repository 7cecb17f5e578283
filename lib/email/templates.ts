/**
 * Every email the app sends, by name: its subject, its template and its props. Links are built from the
 * configured app URL, never from a request. Node-only (templates are rendered on Node).
 */
import { createElement, type ReactElement } from 'react';
import AccountExistsEmail, { subject as accountExistsSubject } from '../../emails/account-exists';
import NewSignInEmail, { subject as newSignInSubject } from '../../emails/new-sign-in';
import PasswordChangedEmail, { subject as passwordChangedSubject } from '../../emails/password-changed';
import UnlockAccountEmail, { subject as unlockAccountSubject } from '../../emails/unlock-account';
import ResetPasswordEmail, { subject as resetPasswordSubject } from '../../emails/reset-password';
import VerifyEmail, { subject as verifySubject } from '../../emails/verify-email';
import WelcomeEmail, { subject as welcomeSubject } from '../../emails/welcome';

export type TemplateName =
  | 'welcome'
  | 'verify-email'
  | 'reset-password'
  | 'password-changed'
  | 'account-exists'
  | 'unlock-account'
  | 'new-sign-in';

export interface TemplatedEmail {
  template: TemplateName;
  subject: string;
  react: ReactElement;
}

export function welcomeEmail(appUrl: string, name: string): TemplatedEmail {
  return { template: 'welcome', subject: welcomeSubject, react: createElement(WelcomeEmail, { name, appUrl }) };
}

export function verificationEmail(appUrl: string, token: string): TemplatedEmail {
  const verifyUrl = `${appUrl}/auth/verify-email?token=${encodeURIComponent(token)}`;
  return { template: 'verify-email', subject: verifySubject, react: createElement(VerifyEmail, { verifyUrl }) };
}

export function passwordResetEmail(appUrl: string, name: string, token: string): TemplatedEmail {
  const resetUrl = `${appUrl}/auth/reset-password?token=${encodeURIComponent(token)}`;
  return {
    template: 'reset-password',
    subject: resetPasswordSubject,
    react: createElement(ResetPasswordEmail, { name, resetUrl }),
  };
}

export function passwordChangedEmail(appUrl: string, name: string, changedAt = new Date()): TemplatedEmail {
  return {
    template: 'password-changed',
    subject: passwordChangedSubject,
    react: createElement(PasswordChangedEmail, { name, changedAt, resetUrl: `${appUrl}/auth/forgot-password` }),
  };
}

export function accountExistsEmail(appUrl: string, name: string): TemplatedEmail {
  return {
    template: 'account-exists',
    subject: accountExistsSubject,
    react: createElement(AccountExistsEmail, {
      name,
      loginUrl: `${appUrl}/auth/login`,
      resetUrl: `${appUrl}/auth/forgot-password`,
    }),
  };
}

export function unlockAccountEmail(appUrl: string, name: string, token: string): TemplatedEmail {
  const unlockUrl = `${appUrl}/auth/unlock?token=${encodeURIComponent(token)}`;
  return {
    template: 'unlock-account',
    subject: unlockAccountSubject,
    react: createElement(UnlockAccountEmail, { name, unlockUrl }),
  };
}

export function newSignInEmail(
  appUrl: string,
  name: string,
  device: { browser: string; os: string; network: string },
  signedInAt = new Date(),
): TemplatedEmail {
  return {
    template: 'new-sign-in',
    subject: newSignInSubject,
    react: createElement(NewSignInEmail, {
      name,
      ...device,
      signedInAt,
      sessionsUrl: `${appUrl}/account/sessions`,
      resetUrl: `${appUrl}/auth/forgot-password`,
    }),
  };
}

// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import AccountExistsEmail from '@/emails/account-exists';
import PasswordChangedEmail from '@/emails/password-changed';
import ResetPasswordEmail from '@/emails/reset-password';
import VerifyEmail from '@/emails/verify-email';
import WelcomeEmail from '@/emails/welcome';
import { renderEmail } from '@zigznote/email';
import { buildEmail } from '@/lib/email';

const appUrl = 'https://app.example.com';

describe('each template renders to HTML and text with its subject, name and link', () => {
  const cases = [
    {
      email: buildEmail('welcome', appUrl, { name: 'Ada' }),
      subject: 'Welcome to zigznote! 🎉',
      link: `${appUrl}/files`,
    },
    {
      email: buildEmail('verify-email', appUrl, { token: 'tok-123' }),
      subject: 'Verify your email address',
      link: `${appUrl}/auth/verify-email?token=tok-123`,
    },
    {
      email: buildEmail('reset-password', appUrl, { name: 'Ada', token: 'tok-456' }),
      subject: 'Reset your password',
      link: `${appUrl}/auth/reset-password?token=tok-456`,
    },
    {
      email: buildEmail('password-changed', appUrl, { name: 'Ada', changedAt: new Date('2026-11-27T10:00:00Z') }),
      subject: 'Your password has been changed',
      link: `${appUrl}/auth/forgot-password`,
    },
    {
      email: buildEmail('account-exists', appUrl, { name: 'Ada' }),
      subject: 'You already have a zigznote account',
      link: `${appUrl}/auth/login`,
    },
    {
      email: buildEmail('new-sign-in', appUrl, {
        name: 'Ada',
        device: { browser: 'Firefox 133', os: 'Windows 10', network: '203.0.113.0/24' },
      }),
      subject: 'New sign-in to your account',
      link: `${appUrl}/account/sessions`,
    },
  ];

  for (const { email, subject, link } of cases) {
    it(`${email.template}`, async () => {
      expect(email.subject).toBe(subject);
      const { html, text } = await renderEmail(email.react);
      expect(html).toMatch(/^<!DOCTYPE html/i);
      expect(html).toContain(`href="${link.replace(/&/g, '&amp;')}"`);
      expect(html).not.toContain('[object Promise]');
      expect(text).not.toContain('[object Promise]');
      expect(text).toContain(link);
      if (email.template !== 'welcome' && email.template !== 'verify-email') expect(text).toContain('Hi Ada');
      expect(text).not.toMatch(/<[a-z]/i);
    });
  }

  it('escapes user input: a name with a script tag arrives as text', async () => {
    const { html, text } = await renderEmail(
      buildEmail('reset-password', appUrl, { name: '<script>alert(1)</script>', token: 't' }).react,
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('greets an address not yet proved without the name its account was given', async () => {
    for (const email of [
      buildEmail('account-exists', appUrl, { name: '' }),
      buildEmail('reset-password', appUrl, { name: '', token: 't' }),
      buildEmail('unlock-account', appUrl, { name: '', token: 't' }),
    ]) {
      const { text } = await renderEmail(email.react);
      expect(text, email.template).toMatch(/^Hello,$/m);
      expect(text, email.template).not.toMatch(/^Hi /m);
    }
    expect((await renderEmail(buildEmail('verify-email', appUrl, { token: 't' }).react)).text).toMatch(/^Hello,$/m);
  });

  it('says when the password was changed', async () => {
    const { text } = await renderEmail(
      buildEmail('password-changed', appUrl, { name: 'Ada', changedAt: new Date('2026-11-27T10:00:00Z') }).react,
    );
    expect(text).toContain('Fri, 27 Nov 2026 10:00:00 GMT');
  });

  it('says which device signed in, from which network and when', async () => {
    const device = { browser: 'Firefox 133', os: 'Windows 10', network: '203.0.113.0/24' };
    const { text } = await renderEmail(
      buildEmail('new-sign-in', appUrl, { name: 'Ada', device, signedInAt: new Date('2026-12-05T10:00:00Z') }).react,
    );
    for (const fact of [
      'Firefox 133',
      'Windows 10',
      '203.0.113.0/24',
      'Sat, 05 Dec 2026 10:00:00 GMT',
      `${appUrl}/auth/forgot-password`,
    ])
      expect(text).toContain(fact);
  });

  it('needs no remote image or font', async () => {
    for (const { email } of cases) {
      const { html } = await renderEmail(email.react);
      expect(html).not.toMatch(/<img|@import|fonts\.googleapis|<link[^>]+stylesheet/i);
    }
  });
});

describe('templates as components', () => {
  it('the verification email offers its link as a button and as text', () => {
    render(<VerifyEmail verifyUrl="https://app.example.com/auth/verify-email?token=abc" />);
    expect(screen.getByRole('heading', { name: 'Verify your email address' })).toBeInTheDocument();
    const links = screen.getAllByRole('link').map((a) => a.getAttribute('href'));
    expect(links.filter((href) => href === 'https://app.example.com/auth/verify-email?token=abc')).toHaveLength(2);
  });

  it('the reset email says how long its link lasts', () => {
    render(<ResetPasswordEmail name="Ada" resetUrl="https://app.example.com/auth/reset-password?token=abc" />);
    expect(screen.getByText(/expires in 1 hour/)).toBeInTheDocument();
  });

  it('the welcome email greets by name', () => {
    render(<WelcomeEmail name="Grace" appUrl="https://app.example.com" />);
    expect(screen.getByRole('heading', { name: 'Welcome, Grace!' })).toBeInTheDocument();
  });

  it('the password-changed email links to a reset', () => {
    render(
      <PasswordChangedEmail
        name="Ada"
        changedAt={new Date('2026-01-01T00:00:00Z')}
        resetUrl="https://app.example.com/auth/forgot-password"
      />,
    );
    expect(screen.getByRole('link', { name: 'Reset your password' })).toHaveAttribute(
      'href',
      'https://app.example.com/auth/forgot-password',
    );
  });

  it('the account-exists email points to log in', () => {
    render(
      <AccountExistsEmail
        name="Ada"
        loginUrl="https://app.example.com/auth/login"
        resetUrl="https://app.example.com/auth/forgot-password"
      />,
    );
    expect(screen.getByRole('link', { name: 'Log in' })).toHaveAttribute('href', 'https://app.example.com/auth/login');
  });
});

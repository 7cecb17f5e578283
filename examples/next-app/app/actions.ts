'use server';

import { updateTag } from 'next/cache';
import { createElement } from 'react';
import { WelcomeEmail } from '../emails/welcome';
import { getMailer } from '../lib/mail';

export async function invalidateClock(): Promise<void> {
  updateTag('clock');
}

/** Queues a welcome email (a row in the outbox, committed before this answers); the worker sends it. */
export async function sendWelcome(_previous: string, form: FormData): Promise<string> {
  const to = String(form.get('email') ?? '').trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(to)) return 'Enter one email address.';
  const result = await (
    await getMailer()
  ).send({
    to,
    subject: 'Welcome to the example',
    react: createElement(WelcomeEmail, { name: to.split('@')[0]! }),
    template: 'welcome',
  });
  return result.ok ? `Queued (${result.status}).` : result.error;
}

/**
 * Sending the app's emails: render on Node, then deliver through SES exactly once. `sendEmail` takes any
 * react-email element; the convenience functions build the app's templates from configuration. Each
 * logical email gets an idempotency key (by default a hash of template, recipient and rendered HTML), so
 * the same email is never sent twice within a day. `sendAfterResponse` runs a send after the response is
 * out, so user flows neither wait for SES nor reveal by their timing whether an email went. Node-only.
 */
import { createHash } from 'node:crypto';
import { after } from 'next/server';
import type { ReactElement } from 'react';
import { getConfig } from '../config';
import { processState } from '../runtime/process-state';
import { getRedis } from '../redis';
import { deliver, hashRecipient } from './delivery';
import { DatabaseSuppressionList, MemoryDeliveryState, RedisDeliveryState, type DeliveryState } from './delivery-state';
import { getDatabase } from '../db';
import { renderEmail } from './render';
import {
  accountExistsEmail,
  passwordChangedEmail,
  passwordResetEmail,
  unlockAccountEmail,
  verificationEmail,
  welcomeEmail,
  type TemplatedEmail,
} from './templates';
import { createSesTransport } from './transport-ses';
import type { EmailTransport, SendResult } from './types';

interface Mailer {
  transport: EmailTransport;
  state: DeliveryState;
}

const state = processState('mailer', () => ({ mailer: undefined as Mailer | undefined }));

function getMailer(): Mailer {
  if (!state.mailer) {
    const config = getConfig();
    state.mailer = {
      transport: createSesTransport(config.email),
      state:
        config.redis.kind === 'memory'
          ? new MemoryDeliveryState()
          : new RedisDeliveryState(getRedis(config.redis), new DatabaseSuppressionList(() => getDatabase(config.database))),
    };
  }
  return state.mailer;
}

/** For tests and tools: deliver through another transport or state from now on. */
export function setMailer(next: Partial<Mailer>): void {
  state.mailer = { ...getMailer(), ...next };
}

export function getDeliveryState(): DeliveryState {
  return getMailer().state;
}

export interface SendEmailInput {
  to: string;
  subject: string;
  react: ReactElement;
  template?: string;
  idempotencyKey?: string;
}

export async function sendEmail(input: SendEmailInput): Promise<SendResult> {
  const config = getConfig();
  const { transport, state } = getMailer();
  const template = input.template ?? 'custom';
  const { html, text } = await renderEmail(input.react);
  const idempotencyKey =
    input.idempotencyKey ?? createHash('sha256').update(`${template}\n${input.to.trim().toLowerCase()}\n${input.subject}\n${html}`).digest('hex');
  return deliver(
    {
      from: config.email.from,
      to: input.to,
      subject: input.subject,
      html,
      text,
      replyTo: config.email.replyTo,
      configurationSet: config.email.configurationSet,
      tags: [...config.email.tags, { Name: 'template', Value: template }],
    },
    { template, idempotencyKey },
    { transport, state, sendRate: config.email.sendRate },
  );
}

function sendTemplate(to: string, email: TemplatedEmail, idempotencyKey?: string): Promise<SendResult> {
  return sendEmail({ to, subject: email.subject, react: email.react, template: email.template, idempotencyKey });
}

export function sendWelcomeEmail(email: string, name: string): Promise<SendResult> {
  // One welcome per address, ever (as long as Redis remembers: a day).
  return sendTemplate(email, welcomeEmail(getConfig().appUrl, name), `welcome:${hashRecipient(email)}`);
}

export function sendVerificationEmail(email: string, name: string, token: string): Promise<SendResult> {
  return sendTemplate(email, verificationEmail(getConfig().appUrl, name, token));
}

export function sendPasswordResetEmail(email: string, name: string, token: string): Promise<SendResult> {
  return sendTemplate(email, passwordResetEmail(getConfig().appUrl, name, token));
}

export function sendPasswordChangedEmail(email: string, name: string, changedAt = new Date()): Promise<SendResult> {
  return sendTemplate(email, passwordChangedEmail(getConfig().appUrl, name, changedAt));
}

export function sendUnlockAccountEmail(email: string, name: string, token: string): Promise<SendResult> {
  return sendTemplate(email, unlockAccountEmail(getConfig().appUrl, name, token));
}

export function sendAccountExistsEmail(email: string, name: string): Promise<SendResult> {
  return sendTemplate(email, accountExistsEmail(getConfig().appUrl, name));
}

/**
 * Runs the send after the response has been sent (Next's `after`), or right away but unawaited outside a
 * request. Failures are already logged by delivery without personal data.
 */
export function sendAfterResponse(send: () => Promise<SendResult>): void {
  const task = () => send().then(() => undefined, (error) => console.error(`[email] send crashed: ${error instanceof Error ? error.name : 'error'}`));
  try {
    after(task);
  } catch {
    void task();
  }
}

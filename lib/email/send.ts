/**
 * Sending the app's emails: render on Node, then write the email to the outbox in Postgres, in the
 * request that causes it; the outbox worker (started with the server) sends it through SES, retrying for
 * up to a day. `sendEmail` takes any react-email element; the convenience functions build the app's
 * templates from configuration. Each logical email has an idempotency key (by default a hash of
 * template, recipient and rendered HTML): the same email is accepted once. Node-only.
 */
import type { ReactElement } from 'react';
import { getConfig } from '../config';
import { getDatabase } from '../db';
import { isErrorTrackingEnabled, Sentry } from '../observability/server';
import { processState } from '../runtime/process-state';
import { getRedis } from '../redis';
import { DatabaseSuppressionList, RedisDeliveryState, RateOnlyMemoryState, type DeliveryState } from './delivery-state';
import {
  enqueueEmail,
  getEmailStatus as readEmailStatus,
  hashRecipient,
  startOutboxWorker,
  type EmailStatusReport,
  type EnqueueResult,
  type OutboxDeps,
  type OutboxWorker,
} from './outbox';
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
import type { EmailTransport } from './types';
import { sha256Hex } from '../runtime/hashing';

interface Mailer {
  transport: EmailTransport;
  state: DeliveryState;
}

const state = processState('mailer', () => ({ mailer: undefined as Mailer | undefined, worker: undefined as OutboxWorker | undefined }));

function getMailer(): Mailer {
  if (!state.mailer) {
    const config = getConfig();
    const suppressions = new DatabaseSuppressionList(() => getDatabase(config.database));
    state.mailer = {
      transport: createSesTransport(config.email),
      state: config.redis.kind === 'memory' ? new RateOnlyMemoryState(suppressions) : new RedisDeliveryState(getRedis(config.redis), suppressions),
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

/** What the outbox worker of this process sends with; read at every pass, so setMailer takes effect. */
export async function outboxDeps(overrides: Partial<OutboxDeps> = {}): Promise<OutboxDeps> {
  const config = getConfig();
  const mailer = getMailer();
  return {
    db: await getDatabase(config.database),
    transport: mailer.transport,
    state: mailer.state,
    sendRate: config.email.sendRate,
    reportFailure: (row, code) => {
      if (isErrorTrackingEnabled())
        Sentry.captureMessage(`email not sent after ${row.attempts} attempt(s): ${code}`, {
          level: 'error',
          tags: { template: row.template, recipient: hashRecipient(row.recipient) },
        });
    },
    ...overrides,
  };
}

/** Starts this process's outbox worker (once); the server calls it at start-up. */
export function startEmailOutbox(options: { pollMs?: number; overrides?: Partial<OutboxDeps> } = {}): OutboxWorker {
  state.worker ??= startOutboxWorker(() => outboxDeps(options.overrides), { pollMs: options.pollMs, idempotencyDays: getConfig().email.idempotencyDays });
  return state.worker;
}

export async function stopEmailOutbox(): Promise<void> {
  const worker = state.worker;
  state.worker = undefined;
  await worker?.stop();
}

export interface SendEmailInput {
  to: string;
  subject: string;
  react: ReactElement;
  template?: string;
  idempotencyKey?: string;
}

export type SendResult = EnqueueResult;

/** Queues the email (one row in Postgres) and wakes this process's worker; SES is not waited for. */
export async function sendEmail(input: SendEmailInput): Promise<SendResult> {
  const config = getConfig();
  const { state: delivery } = getMailer();
  const template = input.template ?? 'custom';
  const { html, text } = await renderEmail(input.react);
  const idempotencyKey = input.idempotencyKey ?? sha256Hex(`${template}\n${input.to.trim().toLowerCase()}\n${input.subject}\n${html}`);
  const db = await getDatabase(config.database);
  const result = await enqueueEmail(
    db,
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
    (address) => delivery.isSuppressed(address),
  );
  if (result.status === 'queued') state.worker?.wake();
  return result;
}

/** An email's delivery state by the id `sendEmail` answered: queued, sent, delivered, bounced, failed… */
export async function getEmailStatus(id: string): Promise<EmailStatusReport | null> {
  return readEmailStatus(await getDatabase(getConfig().database), id);
}

function sendTemplate(to: string, email: TemplatedEmail, idempotencyKey?: string): Promise<SendResult> {
  return sendEmail({ to, subject: email.subject, react: email.react, template: email.template, idempotencyKey });
}

/** A key for an email whose content never varies: repeats within `windowMinutes` are one email, later ones are new. */
function repeatableKey(template: string, email: string, windowMinutes: number): string {
  return `${template}:${hashRecipient(email)}:${Math.floor(Date.now() / (windowMinutes * 60_000))}`;
}

export function sendWelcomeEmail(email: string, name: string): Promise<SendResult> {
  // One welcome per verification; an address is verified once, and a double submit is one email.
  return sendTemplate(email, welcomeEmail(getConfig().appUrl, name), repeatableKey('welcome', email, 60));
}

export function sendVerificationEmail(email: string, token: string): Promise<SendResult> {
  return sendTemplate(email, verificationEmail(getConfig().appUrl, token));
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
  // Someone may sign up with a registered address again tomorrow: that deserves its own email.
  return sendTemplate(email, accountExistsEmail(getConfig().appUrl, name), repeatableKey('account-exists', email, 10));
}

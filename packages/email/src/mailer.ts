/**
 * The five-line way in: a mailer renders a react-email element on Node, writes it to the outbox (in the
 * caller's transaction when given one) and wakes its worker, which sends through the transport. Each
 * logical email has an idempotency key (by default a hash of template, recipient, subject and HTML): the
 * same email asked for twice is one email. Node-only.
 */
import type { ReactElement } from 'react';
import { startOutboxWorker, type DeliveryOptions, type OutboxWorker, type OutboxWorkerOptions } from './delivery.js';
import { normalizeAddress, sha256Hex, type EmailStatusReport, type EnqueueResult, type Outbox } from './outbox.js';
import { renderEmail } from './render.js';
import { MemorySendRate, type SendRate } from './send-rate.js';
import type { SqlClient } from './sql.js';
import type { EmailTransport } from './types.js';

export interface MailerOptions extends Partial<Omit<DeliveryOptions, 'outbox' | 'transport' | 'rate' | 'sendRate'>> {
  outbox: Outbox;
  transport: EmailTransport;
  /** The sender, e.g. `App <no-reply@example.com>`: an address or domain verified in SES. */
  from: string;
  /** @default no Reply-To */
  replyTo?: string;
  /** @default none */
  configurationSet?: string;
  /** SES message tags added to every email (the template's name is added as `template`). @default [] */
  tags?: Array<{ Name: string; Value: string }>;
  /** Emails per second across every instance. @default 1 (SES's sandbox rate) */
  sendRate?: number;
  /** Shared by every instance when it is a RedisSendRate. @default a MemorySendRate (this process only) */
  rate?: SendRate;
}

export interface SendEmailInput {
  to: string;
  subject: string;
  react: ReactElement;
  /** A name for the kind of email, kept on the row and sent as a tag. @default 'custom' */
  template?: string;
  /** @default a hash of template, recipient, subject and rendered HTML */
  idempotencyKey?: string;
  /** The caller's transaction: the email commits (or rolls back) with what caused it. @default the outbox's client */
  transaction?: SqlClient;
}

export interface Mailer {
  /** Renders and queues the email; SES is not waited for. */
  send(input: SendEmailInput): Promise<EnqueueResult>;
  status(id: string): Promise<EmailStatusReport | null>;
  /** What a worker sends with: the outbox, transport and budget of this mailer. */
  deliveryOptions(): DeliveryOptions;
  /** Starts this mailer's background worker (once); `send` wakes it. */
  startWorker(options?: OutboxWorkerOptions): OutboxWorker;
  /** Stops the worker, letting the pass in progress finish. */
  stopWorker(): Promise<void>;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

export function createMailer(options: MailerOptions): Mailer {
  if (!options?.outbox) throw new TypeError('createMailer needs { outbox }: createOutbox({ db })');
  if (typeof options.transport?.send !== 'function')
    throw new TypeError('createMailer needs { transport }: createSesTransport({ region })');
  if (typeof options.from !== 'string' || !/@/.test(options.from))
    throw new TypeError('createMailer needs { from }: a sender address verified in SES');
  const sendRate = options.sendRate ?? 1;
  if (!(sendRate > 0)) throw new RangeError(`sendRate must be more than 0 emails a second (got ${sendRate})`);
  const {
    outbox,
    transport,
    from,
    replyTo,
    configurationSet,
    tags = [],
    rate = new MemorySendRate(),
    ...delivery
  } = options;
  let worker: OutboxWorker | undefined;
  const deliveryOptions = (): DeliveryOptions => ({ ...delivery, outbox, transport, rate, sendRate });
  return {
    async send(input) {
      if (typeof input?.to !== 'string' || !EMAIL.test(input.to.trim()))
        throw new TypeError(`"to" must be one email address (got ${JSON.stringify(input?.to)})`);
      const template = input.template ?? 'custom';
      const { html, text } = await renderEmail(input.react);
      const idempotencyKey =
        input.idempotencyKey ?? sha256Hex(`${template}\n${normalizeAddress(input.to)}\n${input.subject}\n${html}`);
      const target = input.transaction ? outbox.withClient(input.transaction) : outbox;
      const result = await target.enqueue(
        {
          from,
          to: input.to,
          subject: input.subject,
          html,
          text,
          replyTo,
          configurationSet,
          tags: [...tags, { Name: 'template', Value: template }],
        },
        { template, idempotencyKey },
        delivery.suppressions?.isSuppressed,
      );
      // In a transaction the row is not visible yet: the worker's poll finds it after the commit.
      if (result.status === 'queued' && !input.transaction) worker?.wake();
      return result;
    },
    status: (id) => outbox.status(id),
    deliveryOptions,
    startWorker(workerOptions) {
      worker ??= startOutboxWorker(deliveryOptions, workerOptions);
      return worker;
    },
    async stopWorker() {
      const current = worker;
      worker = undefined;
      await current?.stop();
    },
  };
}

/**
 * This app's email, on @zigznote/email: its outbox on the app's database, its SES transport and sender
 * from configuration, the send rate shared through the app's Redis, failures reported to error tracking,
 * and sendTemplateEmail for the registry's emails (templates.ts). `sendEmail` takes any react-email
 * element; the worker is started with the server. Node-only.
 */
import {
  createMailer,
  createOutbox,
  createThreadedSesTransport,
  hashRecipient,
  MemorySendRate,
  RedisSendRate,
  startOutboxWorker,
  type DeliveryOptions,
  type EmailStatusReport,
  type EmailTransport,
  type EnqueueResult,
  type Mailer,
  type Outbox,
  type OutboxWorker,
  type SendEmailInput,
  type SendRate,
  type SqlClient,
  type ThreadedSesTransport,
} from '@zigznote/email';
import { getConfig } from '../config';
import { getSqlClient } from '../db';
import { captureMessage } from '../observability';
import { processState } from '../runtime';
import { getRedis } from '../redis';
import { effectiveSendRate, sendingHold } from './account';
import { buildEmail, EMAILS, type EmailInput, type TemplateName } from './templates';

export type { SendEmailInput };
export type SendResult = EnqueueResult;

interface Wiring {
  transport: EmailTransport;
  rate: SendRate;
}

const state = processState('mailer', () => ({
  wiring: undefined as Wiring | undefined,
  worker: undefined as OutboxWorker | undefined,
  outbox: undefined as { db: SqlClient; outbox: Outbox } | undefined,
  ses: undefined as ThreadedSesTransport | undefined,
}));

function wiring(): Wiring {
  if (!state.wiring) {
    const config = getConfig();
    state.ses ??= createThreadedSesTransport(config.email);
    state.wiring = {
      // On a worker thread: each send's signing and posting stay off the event loop that answers requests.
      transport: state.ses,
      rate: config.redis.kind === 'memory' ? new MemorySendRate() : new RedisSendRate(getRedis(config.redis)),
    };
  }
  return state.wiring;
}

/** The app's own threaded SES transport, made if need be, when it is what sends (a test may wire another). */
function ownSesTransport(): ThreadedSesTransport | undefined {
  const sending = wiring().transport;
  return sending === state.ses ? state.ses : undefined;
}

/** For tests and tools: deliver through another transport or budget from now on (the worker reads it each pass). */
export function setMailer(next: Partial<Wiring>): void {
  state.wiring = { ...wiring(), ...next };
}

/**
 * The app's outbox (tables from its own migrations, which match the package's), one per process and
 * database connection: requests queuing at the same moment share one INSERT, and the worker finds the
 * bodies this process queued without reading them back. On Postgres its per-email statements are prepared
 * once per connection (PGlite takes no named statements, and one embedded database gains nothing from
 * grouping).
 */
export async function getOutbox(): Promise<Outbox> {
  const { database } = getConfig();
  const db = await getSqlClient(database);
  if (state.outbox?.db !== db) {
    const onPostgres = database.kind === 'postgres';
    state.outbox = { db, outbox: createOutbox({ db, preparedStatements: onPostgres, groupEnqueues: onPostgres }) };
  }
  return state.outbox.outbox;
}

async function getMailer(overrides: Partial<DeliveryOptions> = {}): Promise<Mailer> {
  const config = getConfig();
  return createMailer({
    outbox: await getOutbox(),
    from: config.email.from,
    replyTo: config.email.replyTo,
    configurationSet: config.email.configurationSet,
    tags: config.email.tags,
    sendRate: effectiveSendRate(config),
    hold: sendingHold(),
    ...wiring(),
    reportFailure: (row, code) => {
      captureMessage(`email not sent after ${row.attempts} attempt(s): ${code}`, {
        level: 'error',
        tags: { template: row.template, recipient: hashRecipient(row.recipient) },
      });
    },
    ...overrides,
  });
}

/** What this process's outbox worker sends with; read at every pass, so setMailer takes effect. */
export async function outboxDeps(overrides: Partial<DeliveryOptions> = {}): Promise<DeliveryOptions> {
  return (await getMailer(overrides)).deliveryOptions();
}

/** Starts this process's outbox worker (once); the server calls it at start-up. */
export function startEmailOutbox(
  options: { pollMs?: number; overrides?: Partial<DeliveryOptions> } = {},
): OutboxWorker {
  if (!state.worker) {
    // The sending thread starts with the server, not with its first email (and health can say where it runs).
    void ownSesTransport()?.start();
    state.worker = startOutboxWorker(() => outboxDeps(options.overrides), {
      pollMs: options.pollMs,
      idempotencyDays: getConfig().email.idempotencyDays,
    });
  }
  return state.worker;
}

export async function stopEmailOutbox(): Promise<void> {
  const worker = state.worker;
  state.worker = undefined;
  await worker?.stop();
  // After the worker's last pass: nothing is sending. A later send starts the thread again.
  await state.ses?.close();
}

/** Where this process's SES sends run: its worker thread, this thread (the thread could not start), or elsewhere (a test's transport). */
export function emailSendingMode(): 'thread' | 'inline' | 'starting' | 'custom' {
  // Asked by health: it reports, and makes no transport of its own.
  return state.ses ? (ownSesTransport()?.mode ?? 'custom') : 'custom';
}

/** Queues the email (one row in Postgres, in `transaction` when given) and wakes this process's worker. */
export async function sendEmail(input: SendEmailInput): Promise<SendResult> {
  const result = await (await getMailer()).send(input);
  if (result.status === 'queued' && !input.transaction) state.worker?.wake();
  return result;
}

/** After a transaction that queued emails commits: this process's worker sends them now, not at its next poll. */
export function wakeEmailWorker(): void {
  state.worker?.wake();
}

/** An email's delivery state by the id `sendEmail` answered: queued, sent, delivered, bounced, failed… */
export async function getEmailStatus(id: string): Promise<EmailStatusReport | null> {
  return (await getOutbox()).status(id);
}

/** Puts an address on the suppression list (SNS bounces and complaints). */
export async function suppressAddress(email: string, reason: string): Promise<void> {
  await (await getOutbox()).suppressions.suppress(email, reason);
}

/**
 * Queues the registry's email `name` (templates.ts) to `to`, made from `input`; in `transaction` when given,
 * so it commits with what caused it. Emails with `repeatWithinMinutes` get a key that makes copies within
 * that window one email.
 */
export function sendTemplateEmail<Name extends TemplateName>(
  name: Name,
  to: string,
  input: EmailInput<Name>,
  { transaction }: { transaction?: SqlClient } = {},
): Promise<SendResult> {
  const email = buildEmail(name, getConfig().appUrl, input);
  const window = EMAILS[name].repeatWithinMinutes;
  return sendEmail({
    to,
    subject: email.subject,
    react: email.react,
    template: email.template,
    idempotencyKey: window ? repeatableKey(name, to, window) : undefined,
    transaction,
  });
}

/** A key for an email whose content never varies: repeats within `windowMinutes` are one email, later ones are new. */
function repeatableKey(template: string, email: string, windowMinutes: number): string {
  return `${template}:${hashRecipient(email)}:${Math.floor(Date.now() / (windowMinutes * 60_000))}`;
}

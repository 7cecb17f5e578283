/**
 * The email outbox in Postgres: an email the app was asked to send is a row first, written in the request
 * that causes it, so a SES outage of hours, a restart or a crashed process loses nothing. It guarantees:
 * - idempotency with a contract: the same key with the same content is accepted once and later calls get
 *   the first email's id and state; the same key with other content is refused (`conflict`); keys are
 *   kept `idempotencyDays` (7 by default) and then forgotten;
 * - a worker claims due rows with FOR UPDATE SKIP LOCKED and a lease, so several instances share the
 *   outbox and a row claimed by a process that died is picked up again when its lease ends;
 * - throttling, 5xx and refused connections are retried with exponential backoff and full jitter for up to
 *   24 hours; anything else (MessageRejected, an unverified sender) fails at once; a failed row is
 *   reported to error tracking; a suppressed address is never sent to, and the row says why;
 * - a claimed row is never sent after its lease ended: while a pass holds rows (at 1 email/s shared by
 *   several workers they wait their turn longer than a lease), it renews their leases every third of one,
 *   and drops any row another worker has taken over; a process that dies stops renewing, and its rows
 *   are claimed again when their leases end;
 * - each SES call has `sendTimeoutMs`; a call that times out is retried, `maxTimeouts` times at most, then
 *   the row fails with that reason, and a row reclaimed `maxReclaims` times (its sender died each time)
 *   fails too: no row is retried for ever, and a hung endpoint does not stall the others;
 * - SES bounce, complaint and delivery events update the row by SES message id.
 * A send can still repeat if a process dies after SES accepted it and before the row was updated: SES has
 * no idempotency key. Node-only.
 */
import { and, eq, sql } from 'drizzle-orm';
import { emailOutbox, type Database, type OutboxRow } from '../db';
import type { Result } from '../result';
import type { DeliveryState } from './delivery-state';
import { isRetryable } from './errors';
import type { EmailTransport, OutgoingEmail } from './types';
import { backoffMs, sleep as sleepFor, withDeadline } from '../runtime/timing';
import { isUuid } from '../runtime/ids';
import { sha256Hex } from '../runtime/hashing';

export type EmailStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'bounced' | 'complained' | 'suppressed' | 'failed';

export type EnqueueResult = Result<
  { status: 'queued'; id: string } | { status: 'duplicate'; id: string; current: EmailStatus },
  { status: 'suppressed'; id: string } | { status: 'conflict' }
>;

export interface EmailStatusReport {
  id: string;
  status: EmailStatus;
  attempts: number;
  lastError: string | null;
  sesMessageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
}

/** Rows of a raw query, on node-postgres and PGlite alike (both answer `{ rows }`). */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

export function contentHash(email: Pick<OutgoingEmail, 'to' | 'subject' | 'html' | 'text'>): string {
  return sha256Hex(`${email.to.trim().toLowerCase()}\n${email.subject}\n${email.html}\n${email.text}`);
}

/** Writes one email to the outbox; `isSuppressed` is asked first so the row can say why it is not sent. */
export async function enqueueEmail(
  db: Database,
  email: OutgoingEmail,
  meta: { template: string; idempotencyKey: string },
  isSuppressed: (address: string) => Promise<boolean>,
): Promise<EnqueueResult> {
  const hash = contentHash(email);
  const suppressed = await isSuppressed(email.to);
  const [row] = await db
    .insert(emailOutbox)
    .values({
      idempotencyKey: meta.idempotencyKey,
      contentHash: hash,
      template: meta.template,
      recipient: email.to,
      sender: email.from,
      subject: email.subject,
      html: email.html,
      text: email.text,
      options: { replyTo: email.replyTo, configurationSet: email.configurationSet, tags: email.tags },
      status: suppressed ? 'suppressed' : 'queued',
      lastError: suppressed ? 'the address is on the suppression list (bounce or complaint)' : null,
    })
    .onConflictDoNothing({ target: emailOutbox.idempotencyKey })
    .returning({ id: emailOutbox.id, status: emailOutbox.status });
  if (row) {
    return suppressed
      ? {
          ok: false,
          status: 'suppressed',
          id: row.id,
          error: 'The address is on the suppression list (an earlier bounce or complaint): nothing is sent to it.',
        }
      : { ok: true, status: 'queued', id: row.id };
  }
  const [first] = await db
    .select({ id: emailOutbox.id, contentHash: emailOutbox.contentHash, status: emailOutbox.status })
    .from(emailOutbox)
    .where(eq(emailOutbox.idempotencyKey, meta.idempotencyKey))
    .limit(1);
  if (!first) throw new Error('outbox row vanished between insert and read');
  if (first.contentHash !== hash) {
    return { ok: false, status: 'conflict', error: `idempotency key "${meta.idempotencyKey}" was already used for a different email` };
  }
  return { ok: true, status: 'duplicate', id: first.id, current: first.status as EmailStatus };
}

export async function getEmailStatus(db: Database, id: string): Promise<EmailStatusReport | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, id)).limit(1);
  if (!row) return null;
  return {
    id: row.id,
    status: row.status as EmailStatus,
    attempts: row.attempts,
    lastError: row.lastError,
    sesMessageId: row.sesMessageId,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    nextAttemptAt: row.nextAttemptAt,
  };
}

const TIMEOUT_CODE = 'SendTimeout';
const RECLAIMED = 'Reclaimed';

/** Claims up to `limit` due rows (queued and due, or sending with an ended lease) for `leaseMs`. */
export async function claimDueEmails(db: Database, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const result = await db.execute(sql`
    update ${emailOutbox} set status = 'sending', attempts = attempts + 1,
      -- a row still 'sending' was held by a worker that stopped renewing it (died or hung): counted
      last_error = case when status = 'sending'
        then ${RECLAIMED} || ' (' || (coalesce(substring(last_error from ${`^${RECLAIMED} \\((\\d+)\\)`})::int, 0) + 1) || ')'
        else last_error end,
      lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
    where id in (
      select id from ${emailOutbox}
      where (status = 'queued' and next_attempt_at <= now()) or (status = 'sending' and lease_until < now())
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning id, idempotency_key, content_hash, template, recipient, sender, subject, html, text, options, status,
      attempts, next_attempt_at, lease_until, last_error, ses_message_id, created_at, updated_at, sent_at`);
  return rowsOf<Record<string, unknown>>(result).map(toOutboxRow);
}

/** A raw row (snake_case, timestamps as strings on some drivers) as Drizzle's camelCase row. */
function toOutboxRow(raw: Record<string, unknown>): OutboxRow {
  const date = (value: unknown) => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value)));
  return {
    id: String(raw.id),
    idempotencyKey: (raw.idempotency_key as string | null) ?? null,
    contentHash: String(raw.content_hash),
    template: String(raw.template),
    recipient: String(raw.recipient),
    sender: String(raw.sender),
    subject: String(raw.subject),
    html: String(raw.html),
    text: String(raw.text),
    options: typeof raw.options === 'string' ? JSON.parse(raw.options) : (raw.options ?? null),
    status: String(raw.status),
    attempts: Number(raw.attempts),
    nextAttemptAt: date(raw.next_attempt_at)!,
    leaseUntil: date(raw.lease_until),
    lastError: (raw.last_error as string | null) ?? null,
    sesMessageId: (raw.ses_message_id as string | null) ?? null,
    createdAt: date(raw.created_at)!,
    updatedAt: date(raw.updated_at)!,
    sentAt: date(raw.sent_at),
  };
}

export interface OutboxDeps {
  db: Database;
  transport: EmailTransport;
  state: Pick<DeliveryState, 'takeToken' | 'isSuppressed'>;
  /** Emails per second across every instance. */
  sendRate: number;
  /** First retry delay; each later one doubles, up to `maxDelayMs`, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** After this long since the email was queued, a retryable failure fails for good. */
  giveUpAfterMs?: number;
  leaseMs?: number;
  /** One SES call's limit (default 15 s); a timed-out call counts as a retryable failure. */
  sendTimeoutMs?: number;
  /** Timed-out sends after which a row fails for good (default 3). */
  maxTimeouts?: number;
  /** Times a row may be claimed again after its sender stopped renewing it (died or hung) before it fails (default 5). */
  maxReclaims?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
  /** Told about every email that failed for good (error tracking). */
  reportFailure?: (row: OutboxRow, code: string) => void;
}

const DAY_MS = 24 * 3600 * 1000;

export function hashRecipient(email: string): string {
  return `sha256:${sha256Hex(email.trim().toLowerCase()).slice(0, 16)}`;
}

function errorCode(error: unknown): string {
  const e = error as { code?: string; name?: string } | undefined;
  return e?.code ?? e?.name ?? 'Error';
}

export function retryDelayMs(attempts: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const ceiling = backoffMs(attempts, baseDelayMs, maxDelayMs);
  // Full jitter, but never sooner than a tenth of the ceiling: instances that failed together spread out.
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}

/** Waits for the shared send-rate budget; without Redis it sends anyway (SES throttling is retried). */
export async function waitForSendSlot(deps: Pick<OutboxDeps, 'state' | 'sendRate'>, sleep: (ms: number) => Promise<void>): Promise<void> {
  try {
    for (let wait = await deps.state.takeToken(deps.sendRate); wait > 0; wait = await deps.state.takeToken(deps.sendRate)) await sleep(wait);
  } catch {
    await sleep(1_000 / deps.sendRate);
  }
}

/**
 * Writes "sent" for many rows in one statement: a pass records its sends every few milliseconds instead of
 * one commit per email (a crash in between can repeat those few emails, as any crash after SES accepted).
 */
class SentRecorder {
  private pending: Array<{ id: string; attempts: number; messageId: string }> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly maxPending = 16,
    private readonly maxDelayMs = 20,
  ) {}

  add(entry: { id: string; attempts: number; messageId: string }): void {
    this.pending.push(entry);
    if (this.pending.length >= this.maxPending) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.db
        .execute(
          sql`
        update ${emailOutbox} as o
        set status = 'sent', ses_message_id = nullif(v.message_id, ''), sent_at = now(), last_error = null, lease_until = null, updated_at = now()
        from (select unnest(${`{${batch.map((e) => e.id).join(',')}}`}::uuid[]) as id,
                     unnest(${`{${batch.map((e) => e.attempts).join(',')}}`}::int[]) as attempts,
                     unnest(${`{${batch.map((e) => `"${e.messageId.replace(/["\\]/g, '')}"`).join(',')}}`}::text[]) as message_id) as v
        where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts`,
        )
        .then(() => undefined),
    );
    return this.flushing;
  }
}

/** How many times in a row `label` happened to the row, as its last_error keeps count ("SendTimeout (2)"). */
function countOf(row: OutboxRow, label: string): number {
  const match = row.lastError?.match(new RegExp(`^${label} \\((\\d+)\\)`));
  return match ? Number(match[1]) : 0;
}

/**
 * Extends the leases of the rows a pass holds, in one statement; answers the ids still ours (a row missing
 * from the answer was claimed again by another worker after its lease ended).
 */
async function renewLeases(db: Database, rows: OutboxRow[], leaseMs: number): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await db.execute(sql`
    update ${emailOutbox} as o set lease_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
    from (select unnest(${`{${rows.map((r) => r.id).join(',')}}`}::uuid[]) as id,
                 unnest(${`{${rows.map((r) => r.attempts).join(',')}}`}::int[]) as attempts) as v
    where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts
    returning o.id`);
  return new Set(rowsOf<{ id: string }>(result).map((row) => String(row.id)));
}

/**
 * Sends one claimed row and records what happened; answers the row's new status ('sending' when the row
 * was lost to another worker while it waited for its send slot, and so was not sent here).
 */
export async function attemptDelivery(row: OutboxRow, deps: OutboxDeps, recorder?: SentRecorder, isStillOurs = () => true): Promise<EmailStatus> {
  const { db } = deps;
  const sleep = deps.sleep ?? sleepFor;
  const log = deps.log ?? ((message: string) => console.error(message));
  const sendTimeoutMs = deps.sendTimeoutMs ?? 15_000;
  const mine = and(eq(emailOutbox.id, row.id), eq(emailOutbox.status, 'sending'), eq(emailOutbox.attempts, row.attempts));
  const fail = async (code: string, reason: string) => {
    await db
      .update(emailOutbox)
      .set({ status: 'failed', lastError: reason, leaseUntil: null, updatedAt: sql`now()` })
      .where(mine);
    // The code only: SES messages can quote the recipient address.
    log(`[email] not sent: template=${row.template} recipient=${hashRecipient(row.recipient)} attempts=${row.attempts} error=${code}`);
    deps.reportFailure?.(row, code);
    return 'failed' as const;
  };
  if (await deps.state.isSuppressed(row.recipient)) {
    await db
      .update(emailOutbox)
      .set({ status: 'suppressed', lastError: 'the address is on the suppression list (bounce or complaint)', leaseUntil: null, updatedAt: sql`now()` })
      .where(mine);
    return 'suppressed';
  }
  const reclaims = countOf(row, RECLAIMED);
  if (reclaims >= (deps.maxReclaims ?? 5)) {
    return fail(RECLAIMED, `${RECLAIMED} (${reclaims}): the process sending it stopped or hung ${reclaims} times`);
  }
  await waitForSendSlot(deps, sleep);
  if (!isStillOurs()) return 'sending';
  const options = (row.options ?? {}) as Pick<OutgoingEmail, 'replyTo' | 'configurationSet' | 'tags'>;
  try {
    const { messageId } = await withDeadline(
      deps.transport.send({ from: row.sender, to: row.recipient, subject: row.subject, html: row.html, text: row.text, ...options }),
      sendTimeoutMs,
      TIMEOUT_CODE,
    ).catch((error: unknown) => {
      throw error instanceof Error && error.message === TIMEOUT_CODE
        ? Object.assign(new Error(`SES gave no answer within ${sendTimeoutMs} ms`), { code: TIMEOUT_CODE })
        : error;
    });
    if (recorder) {
      recorder.add({ id: row.id, attempts: row.attempts, messageId });
      return 'sent';
    }
    await db
      .update(emailOutbox)
      .set({ status: 'sent', sesMessageId: messageId || null, sentAt: sql`now()`, lastError: null, leaseUntil: null, updatedAt: sql`now()` })
      .where(mine);
    return 'sent';
  } catch (error) {
    const code = errorCode(error);
    const age = Date.now() - row.createdAt.getTime();
    const timeouts = code === TIMEOUT_CODE ? countOf(row, TIMEOUT_CODE) + 1 : 0;
    if (timeouts >= (deps.maxTimeouts ?? 3))
      return fail(code, `${TIMEOUT_CODE} (${timeouts}): SES gave no answer within ${sendTimeoutMs} ms, ${timeouts} times`);
    if ((code === TIMEOUT_CODE || isRetryable(error)) && age < (deps.giveUpAfterMs ?? DAY_MS)) {
      const delay = retryDelayMs(row.attempts, deps.baseDelayMs ?? 2_000, deps.maxDelayMs ?? 3_600_000);
      await db
        .update(emailOutbox)
        .set({
          status: 'queued',
          lastError: timeouts > 0 ? `${TIMEOUT_CODE} (${timeouts})` : code,
          leaseUntil: null,
          nextAttemptAt: sql`now() + ${delay} * interval '1 millisecond'`,
          updatedAt: sql`now()`,
        })
        .where(mine);
      return 'queued';
    }
    return fail(code, code);
  }
}

/**
 * One pass: `concurrency` senders share a local queue of claimed rows, refilled by one claim of
 * `batchSize` rows whenever it runs low, until nothing is due. Answers how many rows it tried.
 */
export async function deliverDueEmails(deps: OutboxDeps, { batchSize = 32, concurrency = 8 } = {}): Promise<number> {
  const leaseMs = deps.leaseMs ?? 60_000;
  const queue: OutboxRow[] = [];
  const held = new Map<string, OutboxRow>();
  const recorder = new SentRecorder(deps.db);
  let tried = 0;
  let drained = false;
  let refill: Promise<void> | null = null;
  const claimMore = () =>
    (refill ??= claimDueEmails(deps.db, batchSize, leaseMs)
      .then((rows) => {
        if (rows.length === 0) drained = true;
        queue.push(...rows);
        for (const row of rows) held.set(row.id, row);
      })
      .finally(() => {
        refill = null;
      }));
  const renewal = setInterval(() => {
    void renewLeases(deps.db, [...held.values()], leaseMs)
      .then((ours) => {
        for (const id of held.keys()) {
          if (ours.has(id)) continue;
          held.delete(id);
          const waiting = queue.findIndex((row) => row.id === id);
          if (waiting >= 0) queue.splice(waiting, 1);
        }
      })
      .catch(() => {});
  }, leaseMs / 3);
  const sender = async () => {
    for (;;) {
      if (queue.length <= concurrency && !drained) void claimMore().catch(() => {});
      const row = queue.shift();
      if (row) {
        tried++;
        try {
          await attemptDelivery(row, deps, recorder, () => held.has(row.id));
        } finally {
          held.delete(row.id);
        }
        continue;
      }
      if (drained && !refill) return;
      await (refill ?? claimMore());
    }
  };
  try {
    await claimMore();
    await Promise.all(Array.from({ length: concurrency }, sender));
  } finally {
    clearInterval(renewal);
    await recorder.flush();
  }
  return tried;
}

/** The age in seconds of the oldest email that is due and not sent (0 when none waits): a stuck queue grows it. */
export async function oldestDueAgeSeconds(db: Database): Promise<number> {
  const result = await db.execute(sql`
    select coalesce(extract(epoch from now() - min(next_attempt_at)), 0)::float as age
    from ${emailOutbox}
    where (status = 'queued' and next_attempt_at <= now()) or (status = 'sending' and lease_until < now())`);
  return Math.max(0, Number(rowsOf<{ age: number }>(result)[0]?.age ?? 0));
}

/** What SES said later about a sent email (SNS), by its message id. */
export async function recordDeliveryEvent(db: Database, sesMessageId: string, status: 'delivered' | 'bounced' | 'complained'): Promise<void> {
  // A complaint or bounce outranks a delivery that SNS may report after it.
  const guard = status === 'delivered' ? sql`${emailOutbox.status} = 'sent'` : sql`${emailOutbox.status} in ('sent', 'delivered', 'bounced')`;
  await db
    .update(emailOutbox)
    .set({ status, updatedAt: sql`now()` })
    .where(and(eq(emailOutbox.sesMessageId, sesMessageId), guard));
}

/** Frees idempotency keys older than `days`, so a key can be used again; the rows stay as history. */
export async function forgetIdempotencyKeys(db: Database, days: number): Promise<number> {
  const result = await db
    .update(emailOutbox)
    .set({ idempotencyKey: null })
    .where(sql`${emailOutbox.idempotencyKey} is not null and ${emailOutbox.createdAt} < now() - ${days} * interval '1 day'`)
    .returning({ id: emailOutbox.id });
  return result.length;
}

export interface OutboxWorker {
  /** Runs a pass now (after an email was queued in this process). */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Delivers due emails in the background: a pass at once when woken, else every `pollMs` (other instances'
 * emails, retries coming due). One pass at a time per process; errors (Postgres down) are logged once per
 * outage and the loop goes on.
 */
export function startOutboxWorker(getDeps: () => Promise<OutboxDeps>, { pollMs = 1_000, idempotencyDays = 7 } = {}): OutboxWorker {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let failing = false;
  let lastKeySweep = 0;
  const pass = async () => {
    try {
      const deps = await getDeps();
      await deliverDueEmails(deps);
      if (Date.now() - lastKeySweep > 3600_000) {
        lastKeySweep = Date.now();
        await forgetIdempotencyKeys(deps.db, idempotencyDays);
      }
      if (failing) console.warn('[email] outbox reachable again');
      failing = false;
    } catch (error) {
      if (!failing) console.error(`[email] outbox pass failed (${error instanceof Error ? error.name : 'error'}); retrying every ${pollMs} ms`);
      failing = true;
    }
  };
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(run, pollMs);
  timer.unref();
  run();
  return {
    wake: run,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

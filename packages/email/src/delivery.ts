/**
 * Sending what the outbox holds: claimed rows go to the transport within the shared send rate, with
 * retries for throttling, 5xx and refused connections (exponential backoff, full jitter) for up to a day;
 * anything else fails at once and is reported. A claimed row is never sent after its lease ended: while a
 * pass holds rows it renews their leases every third of one and drops any row another worker took over.
 * Each transport call has `sendTimeoutMs`; timeouts and reclaims are counted on the row, so no row is
 * retried for ever and a hung endpoint does not stall the others. A send can still repeat if a process
 * dies after SES accepted it and before the row was updated: SES has no idempotency key. Node-only.
 */
import { isRetryable } from './errors.js';
import { hashRecipient, type Outbox, type OutboxRow, type SuppressionList, SUPPRESSED_REASON } from './outbox.js';
import type { SendRate } from './send-rate.js';
import type { EmailTransport, OutgoingEmail } from './types.js';

export interface DeliveryOptions {
  outbox: Outbox;
  transport: EmailTransport;
  /** The budget shared by every instance (a RedisSendRate), or this process's (a MemorySendRate). */
  rate: SendRate;
  /** Emails per second across every instance (SES's account limit: `getSesAccount(...).maxSendRate`). */
  sendRate: number;
  /**
   * While set, nothing is claimed or sent and due mail stays queued, not failed: the reason (sending paused
   * for the account, its daily quota spent; see `assessSesAccount`). @default null
   */
  hold?: string | null;
  /** @default the outbox's own suppression list */
  suppressions?: Pick<SuppressionList, 'isSuppressed'>;
  /** First retry delay; each later one doubles, up to `maxDelayMs`, with full jitter. @default 2000 */
  baseDelayMs?: number;
  /** @default 3600000 (an hour) */
  maxDelayMs?: number;
  /** After this long since the email was queued, a retryable failure fails for good. @default 86400000 (a day) */
  giveUpAfterMs?: number;
  /** @default 60000 */
  leaseMs?: number;
  /** One transport call's limit; a timed-out call counts as a retryable failure. @default 15000 */
  sendTimeoutMs?: number;
  /** Timed-out sends after which a row fails for good. @default 3 */
  maxTimeouts?: number;
  /** Times a row may be claimed again after its sender stopped renewing it (died or hung). @default 5 */
  maxReclaims?: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Where the worker's one-line notes go (never an address or a token). @default console.error */
  log?: (message: string) => void;
  /** Told about every email that failed for good (error tracking). @default nobody is told */
  reportFailure?: (row: OutboxRow, code: string) => void;
}

const DAY_MS = 24 * 3600 * 1000;
const TIMEOUT_CODE = 'SendTimeout';
const RECLAIMED = 'Reclaimed';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorCode(error: unknown): string {
  const e = error as { code?: string; name?: string } | undefined;
  return e?.code ?? e?.name ?? 'Error';
}

/** The delay before retry number `attempts`: exponential, capped, with full jitter. */
export function retryDelayMs(attempts: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  // Full jitter, but never sooner than a tenth of the ceiling: instances that failed together spread out.
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}

/** Waits for the shared send-rate budget; when the budget cannot be read it sends anyway (throttling is retried). */
export async function waitForSendSlot(
  deps: Pick<DeliveryOptions, 'rate' | 'sendRate'>,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  try {
    for (let wait = await deps.rate.takeToken(deps.sendRate); wait > 0; wait = await deps.rate.takeToken(deps.sendRate))
      await sleep(wait);
  } catch {
    await sleep(1_000 / deps.sendRate);
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`SES gave no answer within ${ms} ms`), { code: TIMEOUT_CODE })),
      ms,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
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
    private readonly outbox: Outbox,
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
    this.flushing = this.flushing.then(() => this.outbox.markSent(batch));
    return this.flushing;
  }
}

/** How many times in a row `label` happened to the row, as its last_error keeps count ("SendTimeout (2)"). */
function countOf(row: OutboxRow, label: string): number {
  const match = row.lastError?.match(new RegExp(`^${label} \\((\\d+)\\)`));
  return match ? Number(match[1]) : 0;
}

/** Claims up to `limit` due rows for `leaseMs` (a row whose sender stopped renewing it counts a reclaim). */
export function claimDueEmails(outbox: Outbox, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  return outbox.claimDue(limit, leaseMs, RECLAIMED);
}

export type DeliveryOutcome = 'sent' | 'queued' | 'failed' | 'suppressed' | 'sending';

/**
 * Sends one claimed row and records what happened; answers the row's new status ('sending' when the row
 * was lost to another worker while it waited for its send slot, and so was not sent here).
 */
export async function attemptDelivery(
  row: OutboxRow,
  deps: DeliveryOptions,
  recorder?: SentRecorder,
  isStillOurs = () => true,
): Promise<DeliveryOutcome> {
  const { outbox } = deps;
  const sleep = deps.sleep ?? defaultSleep;
  const log = deps.log ?? ((message: string) => console.error(message));
  const sendTimeoutMs = deps.sendTimeoutMs ?? 15_000;
  // A claimed row says whether its recipient was suppressed at the claim; another list is asked itself.
  const suppressed = () =>
    deps.suppressions || row.onSuppressionList === undefined
      ? (deps.suppressions ?? outbox.suppressions).isSuppressed(row.recipient)
      : row.onSuppressionList;
  const fail = async (code: string, reason: string) => {
    await outbox.settle(row, { status: 'failed', reason });
    // The code only: SES messages can quote the recipient address.
    log(
      `[email] not sent: template=${row.template} recipient=${hashRecipient(row.recipient)} attempts=${row.attempts} error=${code}`,
    );
    deps.reportFailure?.(row, code);
    return 'failed' as const;
  };
  if (await suppressed()) {
    await outbox.settle(row, { status: 'suppressed', reason: SUPPRESSED_REASON });
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
      deps.transport.send({
        from: row.sender,
        to: row.recipient,
        subject: row.subject,
        html: row.html,
        text: row.text,
        ...options,
      }),
      sendTimeoutMs,
    );
    if (recorder) recorder.add({ id: row.id, attempts: row.attempts, messageId });
    else await outbox.markSent([{ id: row.id, attempts: row.attempts, messageId }]);
    return 'sent';
  } catch (error) {
    const code = errorCode(error);
    const age = Date.now() - row.createdAt.getTime();
    const timeouts = code === TIMEOUT_CODE ? countOf(row, TIMEOUT_CODE) + 1 : 0;
    if (timeouts >= (deps.maxTimeouts ?? 3))
      return fail(
        code,
        `${TIMEOUT_CODE} (${timeouts}): SES gave no answer within ${sendTimeoutMs} ms, ${timeouts} times`,
      );
    if ((code === TIMEOUT_CODE || isRetryable(error)) && age < (deps.giveUpAfterMs ?? DAY_MS)) {
      const retryInMs = retryDelayMs(row.attempts, deps.baseDelayMs ?? 2_000, deps.maxDelayMs ?? 3_600_000);
      await outbox.settle(row, {
        status: 'queued',
        reason: timeouts > 0 ? `${TIMEOUT_CODE} (${timeouts})` : code,
        retryInMs,
      });
      return 'queued';
    }
    return fail(code, code);
  }
}

/**
 * One pass: `concurrency` senders share a local queue of claimed rows, refilled by one claim of
 * `batchSize` rows whenever it runs low, until nothing is due. Answers how many rows it tried.
 */
export async function deliverDueEmails(
  deps: DeliveryOptions,
  { batchSize = 32, concurrency = 8 } = {},
): Promise<number> {
  if (deps.hold) return 0;
  const leaseMs = deps.leaseMs ?? 60_000;
  const queue: OutboxRow[] = [];
  const held = new Map<string, OutboxRow>();
  const recorder = new SentRecorder(deps.outbox);
  let tried = 0;
  let drained = false;
  let refill: Promise<void> | null = null;
  const claimMore = () =>
    (refill ??= claimDueEmails(deps.outbox, batchSize, leaseMs)
      .then((rows) => {
        // A short batch means nothing else was due: no empty claim is needed to find that out. Rows that
        // come due later are the next pass's (a wake, or the poll).
        if (rows.length < batchSize) drained = true;
        queue.push(...rows);
        for (const row of rows) held.set(row.id, row);
      })
      .finally(() => {
        refill = null;
      }));
  const renewal = setInterval(() => {
    void deps.outbox
      .renewLeases([...held.values()], leaseMs)
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

export interface OutboxWorker {
  /** Runs a pass now (after an email was queued in this process). */
  wake(): void;
  /** Stops polling and waits for the pass in progress. */
  stop(): Promise<void>;
}

export interface OutboxWorkerOptions {
  /** @default 1000 */
  pollMs?: number;
  /** Idempotency keys are forgotten after this many days (swept hourly). @default 7 */
  idempotencyDays?: number;
}

/**
 * Delivers due emails in the background: a pass at once when woken, else every `pollMs` (other instances'
 * emails, retries coming due). One pass at a time per process; errors (Postgres down) are logged once per
 * outage and the loop goes on. `getDeps` is read at every pass, so a changed transport takes effect.
 */
export function startOutboxWorker(
  getDeps: () => DeliveryOptions | Promise<DeliveryOptions>,
  { pollMs = 1_000, idempotencyDays = 7 }: OutboxWorkerOptions = {},
): OutboxWorker {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let failing = false;
  let lastKeySweep = 0;
  const pass = async () => {
    let log = (message: string) => console.error(message);
    try {
      const deps = await getDeps();
      log = deps.log ?? log;
      await deliverDueEmails(deps);
      if (Date.now() - lastKeySweep > 3600_000) {
        lastKeySweep = Date.now();
        await deps.outbox.forgetIdempotencyKeys(idempotencyDays);
      }
      if (failing) log('[email] outbox reachable again');
      failing = false;
    } catch (error) {
      if (!failing)
        log(
          `[email] outbox pass failed (${error instanceof Error ? error.name : 'error'}); retrying every ${pollMs} ms`,
        );
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

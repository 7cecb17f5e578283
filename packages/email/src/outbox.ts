/**
 * The email outbox in Postgres: an email the app was asked to send is a row first, written in the request
 * that causes it (in the caller's own transaction when given one), so a SES outage of hours, a restart or
 * a crashed process loses nothing. It guarantees:
 * - idempotency with a contract: the same key with the same content is accepted once and later calls get
 *   the first email's id and state; the same key with other content is refused (`conflict`); keys are
 *   forgotten after `idempotencyDays`;
 * - workers claim due rows with FOR UPDATE SKIP LOCKED and a lease, so several instances share the outbox
 *   and a row claimed by a process that died is picked up again when its lease ends;
 * - SES bounce, complaint and delivery events update the row by SES message id.
 * Node-only.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_TABLES, outboxMigrationSql, type OutboxTables } from './migration.js';
import { isSqlClient, runSql, tableIdentifier, type SqlClient } from './sql.js';
import type { OutgoingEmail } from './types.js';

export type EmailStatus =
  'queued' | 'sending' | 'sent' | 'delivered' | 'bounced' | 'complained' | 'suppressed' | 'failed';

export type EnqueueResult =
  | { ok: true; status: 'queued'; id: string }
  | { ok: true; status: 'duplicate'; id: string; current: EmailStatus }
  | { ok: false; status: 'suppressed'; id: string; error: string }
  | { ok: false; status: 'conflict'; error: string };

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

export interface OutboxRow {
  id: string;
  idempotencyKey: string | null;
  contentHash: string;
  template: string;
  recipient: string;
  sender: string;
  subject: string;
  html: string;
  text: string;
  options: unknown;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
  sesMessageId: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  /** Whether the recipient was on the suppression list when the row was claimed (claimed rows only). */
  onSuppressionList?: boolean;
}

export interface OutboxOptions extends OutboxTables {
  /** A node-postgres Pool, Client or PoolClient, PGlite, or anything with `query(text, values)` → `{ rows }`. */
  db: SqlClient;
  /**
   * Sends the statements run for every email (enqueue, claim, renew, record) as named prepared statements,
   * which node-postgres accepts and Postgres then parses and plans once per connection: about a fifth less
   * database CPU per email. node-postgres only (not PGlite), and not through PgBouncer's transaction mode
   * before 1.21, which cannot carry a statement from one transaction to the next. @default false
   */
  preparedStatements?: boolean;
  /**
   * Enqueue calls that arrive while an earlier one is being written (not those in a caller's transaction)
   * go to Postgres together as one INSERT: group commit, one round trip and one commit for many emails
   * under load, none added when idle; each call still answers only after its row is committed. A batch
   * refused for one bad row is written again one row at a time, so only that call fails. @default false
   */
  groupEnqueues?: boolean;
}

interface WaitingEnqueue {
  email: OutgoingEmail;
  meta: { template: string; idempotencyKey: string };
  hash: string;
  /** What `isSuppressed` answered, or null: ask the suppression list in the INSERT. */
  asked: boolean | null;
  resolve: (result: EnqueueResult) => void;
  reject: (error: unknown) => void;
}

/** Rows written by one grouped INSERT at most. */
const MAX_GROUP = 64;
/** Values a grouped INSERT takes per email, after the one shared parameter ($1). */
const PARAMETERS_PER_ROW = 11;
const groupRowsCache: string[] = [];

/**
 * The VALUES rows of a group of `size` emails: plain parameters, not arrays, so no body is escaped into
 * an array literal by the driver and parsed out of one by Postgres. One text per size, prepared once each.
 */
function groupRows(size: number): string {
  return (groupRowsCache[size] ??= Array.from({ length: size }, (_, row) => {
    const at = (column: number) => `$${2 + row * PARAMETERS_PER_ROW + column}`;
    const text = Array.from({ length: PARAMETERS_PER_ROW - 1 }, (_, column) => `${at(column)}::text`);
    return `(${[...text, `${at(PARAMETERS_PER_ROW - 1)}::boolean`, String(row + 1)].join(', ')})`;
  }).join(', '));
}

/** SQLSTATE classes of a fault in one row's data (22: data exception, 23: integrity), not of the server. */
const ROW_FAULT = /^2[23]/;

const SUPPRESSED_ERROR =
  'The address is on the suppression list (an earlier bounce or complaint): nothing is sent to it.';

function emailOptions(email: OutgoingEmail): string {
  return JSON.stringify({ replyTo: email.replyTo, configurationSet: email.configurationSet, tags: email.tags });
}

function insertedResult(row: { id: unknown; status: unknown }): EnqueueResult {
  return row.status === 'suppressed'
    ? { ok: false, status: 'suppressed', id: String(row.id), error: SUPPRESSED_ERROR }
    : { ok: true, status: 'queued', id: String(row.id) };
}

/** The answer for a key already used: the first email's id and state, or a conflict if the content differs. */
function existingResult(
  first: { id: unknown; content_hash: unknown; status: unknown },
  hash: string,
  idempotencyKey: string,
): EnqueueResult {
  if (first.content_hash !== hash) {
    return {
      ok: false,
      status: 'conflict',
      error: `idempotency key "${idempotencyKey}" was already used for a different email`,
    };
  }
  return { ok: true, status: 'duplicate', id: String(first.id), current: first.status as EmailStatus };
}

export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  suppress(email: string, reason: string): Promise<void>;
}

export const SUPPRESSED_REASON = 'the address is on the suppression list (bounce or complaint)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = `id, idempotency_key, content_hash, template, recipient, sender, subject, html, text, options, status,
  attempts, next_attempt_at, lease_until, last_error, ses_message_id, created_at, updated_at, sent_at`;

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function normalizeAddress(email: string): string {
  return email.trim().toLowerCase();
}

export function contentHash(email: Pick<OutgoingEmail, 'to' | 'subject' | 'html' | 'text'>): string {
  return sha256Hex(`${normalizeAddress(email.to)}\n${email.subject}\n${email.html}\n${email.text}`);
}

/** A recipient as logs may show it: never the address itself. */
export function hashRecipient(email: string): string {
  return `sha256:${sha256Hex(normalizeAddress(email)).slice(0, 16)}`;
}

/** A Postgres array literal of `values` (text form, so every driver passes it the same way). */
function arrayLiteral(values: Array<string | number>): string {
  return `{${values.map((value) => (typeof value === 'number' ? String(value) : `"${value.replace(/["\\]/g, '')}"`)).join(',')}}`;
}

/** A raw row (snake_case; timestamps as strings on some drivers) in camelCase. */
function toOutboxRow(raw: Record<string, unknown>): OutboxRow {
  const date = (value: unknown) =>
    value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value));
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
    ...(typeof raw.on_suppression_list === 'boolean' ? { onSuppressionList: raw.on_suppression_list } : {}),
  };
}

export class Outbox {
  readonly db: SqlClient;
  readonly tables: Required<OutboxTables>;
  /** Bounced and complained-about addresses, in Postgres: losing Redis never lets one be mailed again. */
  readonly suppressions: SuppressionList;
  readonly preparedStatements: boolean;
  readonly groupEnqueues: boolean;
  private readonly outbox: string;
  private waiting: WaitingEnqueue[] = [];
  private writingGroup = false;
  private readonly suppressionsSql: string;

  constructor(options: OutboxOptions) {
    if (!isSqlClient(options?.db))
      throw new TypeError(
        'createOutbox needs { db }: a node-postgres Pool (new Pool({ connectionString })), a PoolClient or PGlite',
      );
    this.db = options.db;
    this.preparedStatements = options.preparedStatements ?? false;
    this.groupEnqueues = options.groupEnqueues ?? false;
    this.tables = {
      table: options.table ?? DEFAULT_TABLES.table,
      suppressionsTable: options.suppressionsTable ?? DEFAULT_TABLES.suppressionsTable,
    };
    this.outbox = tableIdentifier('table', this.tables.table);
    this.suppressionsSql = tableIdentifier('suppressionsTable', this.tables.suppressionsTable);
    this.suppressions = {
      isSuppressed: async (email) =>
        (
          await this.run(
            `select 1 from ${this.suppressionsSql} where email = $1 limit 1`,
            [normalizeAddress(email)],
            this.tables.suppressionsTable,
          )
        ).length > 0,
      suppress: async (email, reason) => {
        // A complaint after a bounce (or the reverse) keeps the first reason: the address stays suppressed.
        await this.run(
          `insert into ${this.suppressionsSql} (email, reason) values ($1, $2) on conflict do nothing`,
          [normalizeAddress(email), reason],
          this.tables.suppressionsTable,
        );
      },
    };
  }

  private run<T = Record<string, unknown>>(
    text: string,
    values: unknown[] = [],
    table = this.tables.table,
  ): Promise<T[]> {
    return runSql<T>(this.db, table, text, values);
  }

  /** A statement run for every email: prepared once per connection when `preparedStatements` is on. */
  private runOften<T = Record<string, unknown>>(text: string, values: unknown[]): Promise<T[]> {
    return runSql<T>(this.db, this.tables.table, text, values, this.preparedStatements);
  }

  /** Creates the tables and indexes that are missing; safe at every start-up and from several instances. */
  async migrate(): Promise<void> {
    await this.db.query(outboxMigrationSql(this.tables));
  }

  /** The same outbox on another client: the caller's transaction, so the email commits with its cause. */
  withClient(db: SqlClient): Outbox {
    // A transaction's statements run one after another on its connection: nothing to group.
    return new Outbox({ ...this.tables, db, preparedStatements: this.preparedStatements });
  }

  /**
   * Writes one email and answers once its row is committed (with others waiting at the same moment when
   * `groupEnqueues` is on). Whether the address is suppressed is asked in the same statement, or of
   * `isSuppressed` first when one is given, so the row can say why it is not sent.
   */
  async enqueue(
    email: OutgoingEmail,
    meta: { template: string; idempotencyKey: string },
    isSuppressed?: (address: string) => Promise<boolean>,
  ): Promise<EnqueueResult> {
    const hash = contentHash(email);
    const asked = isSuppressed ? await isSuppressed(email.to) : null;
    return new Promise<EnqueueResult>((resolve, reject) => {
      const call = { email, meta, hash, asked, resolve, reject };
      if (!this.groupEnqueues) {
        void this.answer([call]);
        return;
      }
      this.waiting.push(call);
      this.writeWaiting();
    });
  }

  /** Writes what waits, one group at a time; calls arriving meanwhile form the next group. */
  private writeWaiting(): void {
    if (this.writingGroup || this.waiting.length === 0) return;
    this.writingGroup = true;
    void this.answer(this.waiting.splice(0, MAX_GROUP)).finally(() => {
      this.writingGroup = false;
      this.writeWaiting();
    });
  }

  /** Writes a group and answers each of its calls. */
  private answer(group: WaitingEnqueue[]): Promise<void> {
    return this.insertGroup(group).then(
      (outcomes) =>
        group.forEach((call, index) => {
          const outcome = outcomes[index]!;
          if (outcome.status === 'fulfilled') call.resolve(outcome.value);
          else call.reject(outcome.reason);
        }),
      (error: unknown) => group.forEach((call) => call.reject(error)),
    );
  }

  /**
   * One INSERT for every email of the group (one row or many: the same statement, so one plan). A group
   * refused because of one row's data is written again one row at a time, so only that row's call fails.
   */
  private async insertGroup(group: WaitingEnqueue[]): Promise<Array<PromiseSettledResult<EnqueueResult>>> {
    let inserted: Array<{ id: string; idempotency_key: string; status: string }>;
    try {
      inserted = await this.runOften(
        `insert into ${this.outbox} (idempotency_key, content_hash, template, recipient, sender, subject, html, text, options, status, last_error)
         select v.idempotency_key, v.content_hash, v.template, v.recipient, v.sender, v.subject, v.html, v.text, v.options::jsonb,
           case when coalesce(v.asked, s.email is not null) then 'suppressed' else 'queued' end,
           case when coalesce(v.asked, s.email is not null) then $1 end
         from (values ${groupRows(group.length)})
           as v(idempotency_key, content_hash, template, recipient, sender, subject, html, text, options, normalized, asked, position)
         left join ${this.suppressionsSql} s on s.email = v.normalized
         order by v.position
         on conflict (idempotency_key) do nothing
         returning id, idempotency_key, status`,
        [
          SUPPRESSED_REASON,
          ...group.flatMap((call) => [
            call.meta.idempotencyKey,
            call.hash,
            call.meta.template,
            call.email.to,
            call.email.from,
            call.email.subject,
            call.email.html,
            call.email.text,
            emailOptions(call.email),
            normalizeAddress(call.email.to),
            call.asked,
          ]),
        ],
      );
    } catch (error) {
      if (group.length === 1 || !ROW_FAULT.test(String((error as { code?: unknown } | undefined)?.code ?? '')))
        throw error;
      return Promise.all(
        group.map((call) =>
          this.insertGroup([call]).then(
            ([outcome]) => outcome!,
            (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }),
          ),
        ),
      );
    }
    const byKey = new Map(inserted.map((row) => [row.idempotency_key, row]));
    const results: EnqueueResult[] = [];
    const already: number[] = [];
    group.forEach((call, index) => {
      const row = byKey.get(call.meta.idempotencyKey);
      // A key twice in one group: the first call's row was inserted, the second is its duplicate.
      if (row) {
        byKey.delete(call.meta.idempotencyKey);
        results[index] = insertedResult(row);
      } else already.push(index);
    });
    if (already.length > 0) {
      const found = await this.run<{ id: string; idempotency_key: string; content_hash: string; status: string }>(
        `select id, idempotency_key, content_hash, status from ${this.outbox} where idempotency_key = any($1::text[])`,
        [already.map((index) => group[index]!.meta.idempotencyKey)],
      );
      const first = new Map(found.map((row) => [row.idempotency_key, row]));
      for (const index of already) {
        const call = group[index]!;
        const row = first.get(call.meta.idempotencyKey);
        if (!row) throw new Error('outbox row vanished between insert and read');
        results[index] = existingResult(row, call.hash, call.meta.idempotencyKey);
      }
    }
    return results.map((value) => ({ status: 'fulfilled', value }));
  }

  async status(id: string): Promise<EmailStatusReport | null> {
    if (!UUID.test(id)) return null;
    const [raw] = await this.run(`select ${COLUMNS} from ${this.outbox} where id = $1`, [id]);
    if (!raw) return null;
    const row = toOutboxRow(raw);
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

  /**
   * Claims up to `limit` due rows (queued and due, or sending with an ended lease) for `leaseMs`. A row
   * still 'sending' was held by a worker that stopped renewing it: its last_error counts the reclaims.
   */
  async claimDue(limit: number, leaseMs: number, reclaimed: string): Promise<OutboxRow[]> {
    // Two ordered scans of the partial indexes, each stopping at `limit` rows: a claim costs the same with
    // ten emails waiting or a million (one scan of every due row, sorted, cost 90 ms at 100,000).
    const rows = await this.runOften(
      `with reclaimed as (
        select id from ${this.outbox} where status = 'sending' and lease_until < now()
        order by lease_until limit $1 for update skip locked
      ), due as (
        select id from ${this.outbox} where status = 'queued' and next_attempt_at <= now()
        order by next_attempt_at limit (select $1 - count(*) from reclaimed) for update skip locked
      )
      update ${this.outbox} set status = 'sending', attempts = attempts + 1,
        last_error = case when status = 'sending'
          then $3 || ' (' || (coalesce(substring(last_error from $4)::int, 0) + 1) || ')'
          else last_error end,
        lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
      where id in (select id from reclaimed union all select id from due)
      returning ${COLUMNS},
        -- asked here, in the claim, instead of once per email before its send: one round trip less each
        exists (select 1 from ${this.suppressionsSql} s where s.email = lower(btrim(recipient))) as on_suppression_list`,
      [limit, leaseMs, reclaimed, `^${reclaimed} \\((\\d+)\\)`],
    );
    return rows.map(toOutboxRow);
  }

  /** Extends the leases of rows a worker holds; answers the ids still its own. */
  async renewLeases(rows: Array<Pick<OutboxRow, 'id' | 'attempts'>>, leaseMs: number): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const renewed = await this.runOften<{ id: string }>(
      `update ${this.outbox} as o set lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
       from (select unnest($1::uuid[]) as id, unnest($2::int[]) as attempts) as v
       where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts
       returning o.id`,
      [arrayLiteral(rows.map((r) => r.id)), arrayLiteral(rows.map((r) => r.attempts)), leaseMs],
    );
    return new Set(renewed.map((row) => String(row.id)));
  }

  /** Records many sends in one statement; a row that is no longer this attempt's is left alone. */
  async markSent(batch: Array<{ id: string; attempts: number; messageId: string }>): Promise<void> {
    if (batch.length === 0) return;
    await this.runOften(
      `update ${this.outbox} as o
       set status = 'sent', ses_message_id = nullif(v.message_id, ''), sent_at = now(), last_error = null, lease_until = null, updated_at = now()
       from (select unnest($1::uuid[]) as id, unnest($2::int[]) as attempts, unnest($3::text[]) as message_id) as v
       where o.id = v.id and o.status = 'sending' and o.attempts = v.attempts`,
      [
        arrayLiteral(batch.map((e) => e.id)),
        arrayLiteral(batch.map((e) => e.attempts)),
        arrayLiteral(batch.map((e) => e.messageId)),
      ],
    );
  }

  /** Ends an attempt: failed or suppressed for good, or queued again after `retryInMs`. */
  async settle(
    row: Pick<OutboxRow, 'id' | 'attempts'>,
    outcome:
      { status: 'failed' | 'suppressed'; reason: string } | { status: 'queued'; reason: string; retryInMs: number },
  ): Promise<void> {
    await this.run(
      `update ${this.outbox} set status = $3, last_error = $4, lease_until = null, updated_at = now(),
         next_attempt_at = case when $3 = 'queued' then now() + $5 * interval '1 millisecond' else next_attempt_at end
       where id = $1 and status = 'sending' and attempts = $2`,
      [row.id, row.attempts, outcome.status, outcome.reason, outcome.status === 'queued' ? outcome.retryInMs : 0],
    );
  }

  /** What SES said later about a sent email (SNS), by its message id. */
  async recordDeliveryEvent(sesMessageId: string, status: 'delivered' | 'bounced' | 'complained'): Promise<void> {
    // A complaint or bounce outranks a delivery that SNS may report after it.
    const from = status === 'delivered' ? `('sent')` : `('sent', 'delivered', 'bounced')`;
    await this.run(
      `update ${this.outbox} set status = $2, updated_at = now() where ses_message_id = $1 and status in ${from}`,
      [sesMessageId, status],
    );
  }

  /** Frees idempotency keys older than `days`, so a key can be used again; the rows stay as history. */
  async forgetIdempotencyKeys(days: number): Promise<number> {
    const rows = await this.run(
      `update ${this.outbox} set idempotency_key = null
       where idempotency_key is not null and created_at < now() - $1 * interval '1 day' returning id`,
      [days],
    );
    return rows.length;
  }

  /** The age in seconds of the oldest email that is due and not sent (0 when none waits): a stuck queue grows it. */
  async oldestDueAgeSeconds(): Promise<number> {
    const [row] = await this.run<{ age: number }>(
      `select coalesce(extract(epoch from now() - least(
         (select min(next_attempt_at) from ${this.outbox} where status = 'queued' and next_attempt_at <= now()),
         (select min(next_attempt_at) from ${this.outbox} where status = 'sending' and lease_until < now())
       )), 0)::float as age`,
    );
    return Math.max(0, Number(row?.age ?? 0));
  }
}

export function createOutbox(options: OutboxOptions): Outbox {
  return new Outbox(options);
}

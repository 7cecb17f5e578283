// @zigznote/email on the real Postgres (DATABASE_URL) and the local SES endpoint (AWS_SES_ENDPOINT), each
// test on tables of its own; and on PGlite, the embedded Postgres a development setup may hand it.
import { PGlite } from '@electric-sql/pglite';
import { createMailbox } from '@zigznote/playwright-kit';
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  createMailer,
  createOutbox,
  createSesTransport,
  createThreadedSesTransport,
  deliverDueEmails,
  MemorySendRate,
  OutboxNotMigratedError,
  outboxMigrationSql,
  type EmailTransport,
} from '../src/index.js';
import { blackHole } from './black-hole.js';

const databaseUrl = process.env.DATABASE_URL;
const sesEndpoint = process.env.AWS_SES_ENDPOINT;
if (!databaseUrl || !sesEndpoint)
  throw new Error('the email package tests need DATABASE_URL and AWS_SES_ENDPOINT (npm test sets them)');

const pool = new Pool({ connectionString: databaseUrl, max: 8 });
const mailbox = createMailbox({ endpoint: sesEndpoint });
const transport = createSesTransport({
  region: 'us-east-1',
  endpoint: sesEndpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const made: string[] = [];
let counter = 0;

/** Table names no other test or run uses; dropped at the end. */
function freshTables() {
  const suffix = `${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const tables = { table: `pkg_outbox_${suffix}`, suppressionsTable: `pkg_suppressions_${suffix}` };
  made.push(tables.table, tables.suppressionsTable);
  return tables;
}
const address = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}@pkg.zigznote.test`;
const hello = (name: string) => createElement('p', null, `Hello ${name}, welcome.`);

afterAll(async () => {
  for (const table of made) await pool.query(`drop table if exists "${table}"`);
  await pool.end();
});

describe('used wrongly, it says so in words', () => {
  it('at construction: no database, a bad table name, no transport, no sender, a send rate of 0', () => {
    expect(() => createOutbox({} as never)).toThrow(/createOutbox needs \{ db \}/);
    expect(() => createOutbox({ db: pool, table: 'outbox; drop table users' })).toThrow(
      /table must be a lower-case SQL table name/,
    );
    const outbox = createOutbox({ db: pool });
    expect(() => createMailer({ outbox, from: 'a@b.c' } as never)).toThrow(/needs \{ transport \}/);
    expect(() => createMailer({ outbox, transport } as never)).toThrow(/needs \{ from \}/);
    expect(() => createMailer({ outbox, transport, from: 'a@b.c', sendRate: 0 })).toThrow(
      /sendRate must be more than 0/,
    );
    expect(() => createSesTransport({ region: '' })).toThrow(/needs a region/);
  });

  it('an outbox whose table was never made answers "run the migration", not a driver error', async () => {
    const outbox = createOutbox({ db: pool, ...freshTables() });
    const mailer = createMailer({ outbox, transport, from: 'app@pkg.zigznote.test' });
    const attempt = mailer.send({ to: address('early'), subject: 'Hi', react: hello('Ada') });
    await expect(attempt).rejects.toBeInstanceOf(OutboxNotMigratedError);
    await expect(attempt).rejects.toThrow(
      /does not exist: run the migration: await outbox\.migrate\(\), or psql .*0001_email_outbox\.sql/,
    );
  });

  it('a recipient that is not one address is refused before anything is written', async () => {
    const outbox = createOutbox({ db: pool, ...freshTables() });
    await outbox.migrate();
    const mailer = createMailer({ outbox, transport, from: 'app@pkg.zigznote.test' });
    await expect(mailer.send({ to: 'a@b.c, d@e.f', subject: 'Hi', react: hello('x') })).rejects.toThrow(
      /"to" must be one email address/,
    );
    expect((await pool.query(`select count(*)::int as n from "${outbox.tables.table}"`)).rows[0].n).toBe(0);
  });
});

describe('the migration', () => {
  it('run by five instances at once makes the tables once, and again changes nothing', async () => {
    const tables = freshTables();
    const outboxes = Array.from({ length: 5 }, () => createOutbox({ db: pool, ...tables }));
    await Promise.all(outboxes.map((outbox) => outbox.migrate()));
    await outboxes[0]!.migrate();
    const indexes = await pool.query(`select indexname from pg_indexes where tablename = $1 order by indexname`, [
      tables.table,
    ]);
    expect(indexes.rows.map((row) => row.indexname)).toEqual([
      `${tables.table}_idempotency_key_unique`,
      `${tables.table}_leased_idx`,
      `${tables.table}_pkey`,
      `${tables.table}_queued_idx`,
      `${tables.table}_ses_message_sent_idx`,
    ]);
  });

  it("replaces 0.1's full indexes with the partial ones, in a schema of its own too", async () => {
    await pool.query('create schema if not exists pkg_upgrade');
    const tables = { table: `pkg_upgrade.${freshTables().table}`, suppressionsTable: 'pkg_upgrade.suppressions' };
    const outbox = createOutbox({ db: pool, ...tables });
    await outbox.migrate();
    const name = tables.table.split('.')[1]!;
    onTestFinished(() => pool.query(`drop table if exists ${tables.table}`).then(() => undefined));
    // what 0.1's migration had made
    await pool.query(`create index "${name}_due_idx" on ${tables.table} (status, next_attempt_at);
      create index "${name}_ses_message_idx" on ${tables.table} (ses_message_id)`);
    await outbox.migrate();
    const indexes = await pool.query(
      `select indexname, indexdef from pg_indexes where schemaname = 'pkg_upgrade' and tablename = $1 order by indexname`,
      [name],
    );
    expect(indexes.rows.map((row) => row.indexname)).toEqual([
      `${name}_idempotency_key_unique`,
      `${name}_leased_idx`,
      `${name}_pkey`,
      `${name}_queued_idx`,
      `${name}_ses_message_sent_idx`,
    ]);
    expect(indexes.rows.find((row) => row.indexname === `${name}_queued_idx`).indexdef).toMatch(
      /WHERE \(status = 'queued'::text\)/,
    );
  });

  it('stores email bodies with lz4 where Postgres has it, and runs again unchanged', async () => {
    const tables = freshTables();
    const outbox = createOutbox({ db: pool, ...tables });
    await outbox.migrate();
    const compression = await pool.query(
      `select attname, attcompression from pg_attribute where attrelid = $1::regclass and attname in ('html', 'text') order by attname`,
      [tables.table],
    );
    expect(compression.rows).toEqual([
      { attname: 'html', attcompression: 'l' },
      { attname: 'text', attcompression: 'l' },
    ]);
    await outbox.migrate();
    const again = await pool.query(
      `select count(*)::int as n from pg_attribute where attrelid = $1::regclass and attcompression = 'l'`,
      [tables.table],
    );
    expect(again.rows[0].n).toBe(2);
  });

  it('ships as the SQL file psql runs, the same text migrate() runs', () => {
    const file = readFileSync(new URL('../migrations/0001_email_outbox.sql', import.meta.url), 'utf8');
    expect(file).toContain(outboxMigrationSql());
    expect(outboxMigrationSql()).toContain('CREATE TABLE IF NOT EXISTS "email_outbox"');
  });
});

describe('sending', () => {
  it(
    'renders, queues, and the worker delivers through SES once; the same email again is a duplicate',
    { timeout: 30_000 },
    async () => {
      const outbox = createOutbox({ db: pool, ...freshTables() });
      await outbox.migrate();
      const mailer = createMailer({ outbox, transport, from: 'App <app@pkg.zigznote.test>', sendRate: 20 });
      const to = address('ada');
      mailer.startWorker({ pollMs: 200 });
      try {
        const first = await mailer.send({ to, subject: 'Welcome', react: hello('Ada'), template: 'welcome' });
        expect(first).toMatchObject({ ok: true, status: 'queued' });
        const again = await mailer.send({ to, subject: 'Welcome', react: hello('Ada'), template: 'welcome' });
        expect(again).toMatchObject({ ok: true, status: 'duplicate', id: first.ok ? first.id : '' });
        const email = await mailbox.waitForEmail(to, { subject: 'Welcome' });
        expect(email.text).toContain('Hello Ada, welcome.');
        expect(email.html).toContain('<p>Hello Ada, welcome.</p>');
        await expect.poll(async () => (await mailer.status(first.ok ? first.id : ''))?.status).toBe('sent');
        expect(await mailbox.emailsTo(to)).toHaveLength(1);
      } finally {
        await mailer.stopWorker();
      }
    },
  );

  it('the same key with other content is a conflict, and nothing more is queued', async () => {
    const outbox = createOutbox({ db: pool, ...freshTables() });
    await outbox.migrate();
    const mailer = createMailer({ outbox, transport, from: 'app@pkg.zigznote.test' });
    const to = address('key');
    await mailer.send({ to, subject: 'One', react: hello('A'), idempotencyKey: 'k-1' });
    const other = await mailer.send({ to, subject: 'Two', react: hello('B'), idempotencyKey: 'k-1' });
    expect(other).toMatchObject({ ok: false, status: 'conflict' });
    expect((await pool.query(`select count(*)::int as n from "${outbox.tables.table}"`)).rows[0].n).toBe(1);
  });

  it(
    "commits with the caller's transaction: rolled back, no email; committed, delivered",
    { timeout: 30_000 },
    async () => {
      const outbox = createOutbox({ db: pool, ...freshTables() });
      await outbox.migrate();
      const mailer = createMailer({ outbox, transport, from: 'app@pkg.zigznote.test', sendRate: 20 });
      const [lost, kept] = [address('rolled-back'), address('committed')];
      for (const [to, end] of [
        [lost, 'rollback'],
        [kept, 'commit'],
      ] as const) {
        const client = await pool.connect();
        try {
          await client.query('begin');
          await mailer.send({ to, subject: 'Verify', react: hello(to), transaction: client });
          await client.query(end);
        } finally {
          client.release();
        }
      }
      expect(await deliverDueEmails(mailer.deliveryOptions())).toBe(1);
      await mailbox.waitForEmail(kept);
      expect(await mailbox.emailsTo(lost)).toEqual([]);
    },
  );

  it('a suppressed address is never sent to, and the answer says why', async () => {
    const outbox = createOutbox({ db: pool, ...freshTables() });
    await outbox.migrate();
    const to = address('bounced');
    await outbox.suppressions.suppress(to.toUpperCase(), 'bounce');
    const mailer = createMailer({ outbox, transport, from: 'app@pkg.zigznote.test' });
    const answer = await mailer.send({ to, subject: 'Hi', react: hello('x') });
    expect(answer).toMatchObject({ ok: false, status: 'suppressed' });
    expect(await deliverDueEmails(mailer.deliveryOptions())).toBe(0);
  });

  it('an address suppressed after its email was queued (a bounce in between) is not sent to either', async () => {
    const outbox = createOutbox({ db: pool, ...freshTables() });
    await outbox.migrate();
    const to = address('bounced-later');
    let sent = 0;
    const counting: EmailTransport = { name: 'counting', send: async () => ({ messageId: `m-${++sent}` }) };
    const mailer = createMailer({ outbox, transport: counting, from: 'app@pkg.zigznote.test' });
    const answer = await mailer.send({ to, subject: 'Hi', react: hello('x') });
    expect(answer).toMatchObject({ ok: true, status: 'queued' });
    await outbox.suppressions.suppress(` ${to.toUpperCase()} `, 'bounce');
    expect(await deliverDueEmails(mailer.deliveryOptions())).toBe(1);
    expect(sent).toBe(0);
    expect(await outbox.status(answer.ok ? answer.id : '')).toMatchObject({ status: 'suppressed' });
  });

  it('throttling is retried later and then sent; a rejected message fails at once', async () => {
    const outbox = createOutbox({ db: pool, ...freshTables() });
    await outbox.migrate();
    let calls = 0;
    const flaky: EmailTransport = {
      name: 'flaky',
      async send(email) {
        calls++;
        if (email.subject === 'rejected')
          throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
        if (calls === 1)
          throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
        return { messageId: `m-${calls}` };
      },
    };
    const logged: string[] = [];
    const mailer = createMailer({
      outbox,
      transport: flaky,
      from: 'app@pkg.zigznote.test',
      sendRate: 50,
      baseDelayMs: 50,
      maxDelayMs: 100,
      log: (m) => logged.push(m),
    });
    const to = address('retry');
    const retried = await mailer.send({ to, subject: 'retried', react: hello('r') });
    await deliverDueEmails(mailer.deliveryOptions());
    expect(await mailer.status(retried.ok ? retried.id : '')).toMatchObject({
      status: 'queued',
      lastError: 'TooManyRequestsException',
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await deliverDueEmails(mailer.deliveryOptions());
    expect(await mailer.status(retried.ok ? retried.id : '')).toMatchObject({
      status: 'sent',
      attempts: 2,
      sesMessageId: 'm-2',
    });

    const rejected = await mailer.send({ to, subject: 'rejected', react: hello('r') });
    await deliverDueEmails(mailer.deliveryOptions());
    expect(await mailer.status(rejected.ok ? rejected.id : '')).toMatchObject({
      status: 'failed',
      lastError: 'MessageRejected',
      attempts: 1,
    });
    expect(logged.join('\n')).not.toContain(to);
  });

  it('SES unreachable (connections never open) for more attempts than maxTimeouts: still queued, then sent once', async () => {
    const outbox = createOutbox({ db: pool, ...freshTables() });
    await outbox.migrate();
    const unreachable = await blackHole();
    onTestFinished(() => unreachable.close());
    const cutOff = createThreadedSesTransport({
      region: 'us-east-1',
      endpoint: unreachable.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      connectTimeoutMs: 150,
    });
    onTestFinished(() => cutOff.close());
    const mailer = createMailer({
      outbox,
      transport: cutOff,
      from: 'app@pkg.zigznote.test',
      sendRate: 50,
      baseDelayMs: 10,
      maxDelayMs: 20,
      sendTimeoutMs: 1_000,
      maxTimeouts: 3,
    });
    const queued = await mailer.send({ to: address('partition'), subject: 'through a partition', react: hello('p') });
    const id = queued.ok ? queued.id : '';
    for (let attempt = 1; attempt <= 5; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      await deliverDueEmails(mailer.deliveryOptions());
      expect(await mailer.status(id)).toMatchObject({
        status: 'queued',
        attempts: attempt,
        lastError: 'ConnectTimeout',
      });
    }
    // The network is back: the next pass sends it, once.
    let posted = 0;
    const ses = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        posted++;
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ MessageId: 'after-the-partition' }));
      });
    });
    await new Promise<void>((resolve) => ses.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => (ses.closeAllConnections(), ses.close(() => resolve()))));
    const reachable = createThreadedSesTransport({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(ses.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    onTestFinished(() => reachable.close());
    await new Promise((resolve) => setTimeout(resolve, 25));
    await deliverDueEmails({ ...mailer.deliveryOptions(), transport: reachable });
    await deliverDueEmails({ ...mailer.deliveryOptions(), transport: reachable });
    expect(await mailer.status(id)).toMatchObject({ status: 'sent', attempts: 6, sesMessageId: 'after-the-partition' });
    expect(posted).toBe(1);
  });

  it('two workers draining 40 emails together send each exactly once', { timeout: 60_000 }, async () => {
    const tables = freshTables();
    const outbox = createOutbox({ db: pool, ...tables });
    await outbox.migrate();
    const sent: string[] = [];
    const counting: EmailTransport = {
      name: 'counting',
      async send(email) {
        sent.push(email.to);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { messageId: `id-${sent.length}` };
      },
    };
    const mailers = [0, 1].map(() =>
      createMailer({
        outbox: createOutbox({ db: pool, ...tables }),
        transport: counting,
        from: 'app@pkg.zigznote.test',
        sendRate: 500,
        rate: new MemorySendRate(),
      }),
    );
    const addresses = Array.from({ length: 40 }, (_, i) => address(`pair-${i}`));
    for (const to of addresses) await mailers[0]!.send({ to, subject: 'Hi', react: hello(to) });
    await Promise.all(mailers.map((mailer) => deliverDueEmails(mailer.deliveryOptions())));
    expect(sent.sort()).toEqual([...addresses].sort());
  });
});

describe('grouped enqueues (group commit)', () => {
  it(
    '40 calls at once: fewer INSERTs than calls, and each call its own answer (queued, duplicate, conflict, suppressed)',
    { timeout: 30_000 },
    async () => {
      const statements: string[] = [];
      const counted = {
        query: (text: unknown, values?: unknown[]) => {
          statements.push(typeof text === 'string' ? text : String((text as { text: string }).text));
          return (pool.query as (t: unknown, v?: unknown[]) => Promise<{ rows: unknown[] }>)(text, values);
        },
      };
      const tables = freshTables();
      const outbox = createOutbox({ db: counted, ...tables, groupEnqueues: true, preparedStatements: true });
      await outbox.migrate();
      const bounced = address('bounced');
      await outbox.suppressions.suppress(bounced, 'bounce');
      const email = (to: string, subject = 'Hi') => ({
        from: 'app@pkg.zigznote.test',
        to,
        subject,
        html: `<p>${subject}</p>`,
        text: subject,
      });
      const distinct = Array.from({ length: 30 }, (_, i) => address(`group-${i}`));
      statements.length = 0;
      const calls = [
        ...distinct.map((to) => outbox.enqueue(email(to), { template: 'hi', idempotencyKey: to })),
        // the same emails again, some certainly in the same group as their first
        ...distinct.slice(0, 5).map((to) => outbox.enqueue(email(to), { template: 'hi', idempotencyKey: to })),
        // the same keys with other content
        ...distinct.slice(5, 8).map((to) => outbox.enqueue(email(to, 'Other'), { template: 'hi', idempotencyKey: to })),
        outbox.enqueue(email(bounced), { template: 'hi', idempotencyKey: `${bounced}-1` }),
        outbox.enqueue(email(bounced), { template: 'hi', idempotencyKey: `${bounced}-2` }, async () => true),
      ];
      const results = await Promise.all(calls);
      const inserts = statements.filter((text) => text.trimStart().startsWith('insert into')).length;
      expect(inserts).toBeGreaterThan(0);
      expect(inserts).toBeLessThan(10);
      const firsts = results.slice(0, 30);
      for (const result of firsts) expect(result).toMatchObject({ ok: true, status: 'queued' });
      results
        .slice(30, 35)
        .forEach((result, i) =>
          expect(result).toMatchObject({ ok: true, status: 'duplicate', id: (firsts[i] as { id: string }).id }),
        );
      for (const result of results.slice(35, 38)) expect(result).toMatchObject({ ok: false, status: 'conflict' });
      for (const result of results.slice(38)) expect(result).toMatchObject({ ok: false, status: 'suppressed' });
      const rows = await pool.query(`select status, count(*)::int as n from "${tables.table}" group by 1 order by 1`);
      expect(rows.rows).toEqual([
        { status: 'queued', n: 30 },
        { status: 'suppressed', n: 2 },
      ]);
    },
  );

  it('a row Postgres refuses fails only its own call; the rest of its group is written', async () => {
    const tables = freshTables();
    const outbox = createOutbox({ db: pool, ...tables, groupEnqueues: true });
    await outbox.migrate();
    const email = (to: string, subject: string) => ({
      from: 'app@pkg.zigznote.test',
      to,
      subject,
      html: '<p>Hi</p>',
      text: 'Hi',
    });
    const good = Array.from({ length: 6 }, (_, i) => address(`beside-bad-${i}`));
    const bad = address('bad');
    const outcomes = await Promise.allSettled([
      ...good.slice(0, 3).map((to) => outbox.enqueue(email(to, 'Hi'), { template: 'hi', idempotencyKey: to })),
      // Postgres text cannot hold a NUL character: 22021, a fault of this row's data alone
      outbox.enqueue(email(bad, 'Hi\u0000there'), { template: 'hi', idempotencyKey: bad }),
      ...good.slice(3).map((to) => outbox.enqueue(email(to, 'Hi'), { template: 'hi', idempotencyKey: to })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const written = await pool.query(`select recipient from "${tables.table}"`);
    expect(written.rows.map((row) => row.recipient).sort()).toEqual([...good].sort());
  });
});

describe('prepared statements', () => {
  it(
    'two outboxes on other tables share one connection, in and out of a transaction, and deliver each email once',
    { timeout: 30_000 },
    async () => {
      const single = new Pool({ connectionString: databaseUrl, max: 1 });
      try {
        const outboxes = [freshTables(), freshTables()].map((tables) =>
          createOutbox({ db: single, ...tables, preparedStatements: true }),
        );
        for (const outbox of outboxes) await outbox.migrate();
        const sent: string[] = [];
        const recording: EmailTransport = {
          name: 'recording',
          send: async (email) => {
            sent.push(email.to);
            return { messageId: `m-${sent.length}` };
          },
        };
        const queued: string[] = [];
        for (const [index, outbox] of outboxes.entries()) {
          for (let i = 0; i < 3; i++) {
            const to = address(`prepared-${index}`);
            const email = { from: 'app@pkg.zigznote.test', to, subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' };
            const result = await outbox.enqueue(email, { template: 'hi', idempotencyKey: to });
            expect(result).toMatchObject({ ok: true, status: 'queued' });
            queued.push(to);
          }
          const client = await single.connect();
          try {
            await client.query('begin');
            const to = address(`prepared-tx-${index}`);
            const email = { from: 'app@pkg.zigznote.test', to, subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' };
            expect(
              await outbox.withClient(client).enqueue(email, { template: 'hi', idempotencyKey: to }),
            ).toMatchObject({ ok: true, status: 'queued' });
            await client.query('commit');
            queued.push(to);
          } finally {
            client.release();
          }
          await deliverDueEmails({ outbox, transport: recording, rate: new MemorySendRate(), sendRate: 1_000 });
        }
        expect([...sent].sort()).toEqual([...queued].sort());
        for (const outbox of outboxes) {
          const states = await single.query(
            `select status, count(*)::int as n from "${outbox.tables.table}" group by 1`,
          );
          expect(states.rows).toEqual([{ status: 'sent', n: 4 }]);
        }
        // Postgres holds them as prepared statements of the one connection, one per table and statement.
        const prepared = await single.query(
          `select statement from pg_prepared_statements where name like 'zigznote_email_%'`,
        );
        const statements = prepared.rows.map((row) => String(row.statement));
        for (const outbox of outboxes) {
          expect(statements.filter((text) => text.includes(`insert into "${outbox.tables.table}"`))).toHaveLength(1);
          expect(
            statements.filter((text) => text.includes(`update "${outbox.tables.table}" set status = 'sending'`)),
          ).toHaveLength(1);
        }
      } finally {
        await single.end();
      }
    },
  );
});

describe('on PGlite (the embedded Postgres of a development setup)', () => {
  it('migrates, queues, claims and records a send', async () => {
    const db = await PGlite.create();
    try {
      const outbox = createOutbox({ db });
      await outbox.migrate();
      const sent: string[] = [];
      const mailer = createMailer({
        outbox,
        transport: { name: 'memory', send: async (email) => (sent.push(email.to), { messageId: 'pglite-1' }) },
        from: 'app@pkg.zigznote.test',
        sendRate: 50,
      });
      const answer = await mailer.send({ to: 'dev@pkg.zigznote.test', subject: 'Hi', react: hello('dev') });
      expect(await deliverDueEmails(mailer.deliveryOptions())).toBe(1);
      expect(sent).toEqual(['dev@pkg.zigznote.test']);
      expect(await mailer.status(answer.ok ? answer.id : '')).toMatchObject({
        status: 'sent',
        sesMessageId: 'pglite-1',
      });
    } finally {
      await db.close();
    }
  });
});

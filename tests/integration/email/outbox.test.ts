import { spawn, type ChildProcess } from 'node:child_process';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { signUp } from '@/lib/auth';
import {
  attemptDelivery,
  claimDueEmails,
  createOutbox,
  createSesTransport,
  deliverDueEmails,
  type Outbox,
} from '@zigznote/email';
import { Pool } from 'pg';
import { getConfig } from '@/lib/config';
import { closeDatabase, emailOutbox, getDatabase } from '@/lib/db';
import {
  getEmailStatus,
  getOutbox,
  outboxDeps,
  sendTemplateEmail,
  setMailer,
  startEmailOutbox,
  stopEmailOutbox,
} from '@/lib/email';
import { closeRedis } from '@/lib/redis';
import { realAuthDeps, uniqueEmail } from '../../support/auth-deps';
import { failingSesEndpoint, localSesEndpoint, storedTo } from '../../support/ses-endpoint';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const realTransport = createSesTransport(getConfig().email);

afterAll(async () => {
  await stopEmailOutbox();
  setMailer({ transport: realTransport });
  await closeRedis();
  await closeDatabase();
});

describe('SES down for a minute while 20 people sign up', () => {
  it('sends each verification email exactly once after SES returns', { timeout: 180_000 }, async () => {
    const ses = await localSesEndpoint();
    setMailer({ transport: createSesTransport({ ...getConfig().email, endpoint: ses.url }) });
    startEmailOutbox({ pollMs: 200, overrides: { baseDelayMs: 1_000, maxDelayMs: 8_000 } });
    try {
      await ses.stop();
      const deps = await realAuthDeps({ emails: 'outbox' });
      const addresses = Array.from({ length: 20 }, (_, i) => uniqueEmail(`outage-${i}`));
      const answers = await Promise.all(
        addresses.map((email) => signUp(deps, { name: 'Ada', email, password: 'longenough' })),
      );
      expect(answers.every((answer) => answer.ok)).toBe(true);

      await sleep(60_000);
      const db = await getDatabase(getConfig().database);
      const waiting = await db.select().from(emailOutbox).where(inArray(emailOutbox.recipient, addresses));
      expect(waiting).toHaveLength(20);
      // still owed, retried meanwhile, never given up on
      expect(waiting.every((row) => (row.status === 'queued' || row.status === 'sending') && row.attempts >= 2)).toBe(
        true,
      );

      await ses.start();
      await until(
        async () =>
          (await Promise.all(addresses.map((a) => storedTo(ses.url, a)))).every((emails) => emails.length >= 1),
        60_000,
        'all 20 emails',
      );
      await sleep(2_000);
      for (const address of addresses) {
        const emails = await storedTo(ses.url, address);
        expect(emails.map((e) => e.subject)).toEqual(['Verify your email address']);
      }
      const sent = await db.select().from(emailOutbox).where(inArray(emailOutbox.recipient, addresses));
      expect(sent.every((row) => row.status === 'sent' && row.sesMessageId)).toBe(true);
    } finally {
      await stopEmailOutbox();
      setMailer({ transport: realTransport });
      await ses.stop();
    }
  });
});

describe('a killed app process', () => {
  function outboxProcess(sesUrl: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/outbox-process.ts'], {
      env: { ...process.env, AWS_SES_ENDPOINT: sesUrl, ZZ_OUTBOX_BASE_DELAY_MS: '1500' },
      stdio: 'ignore',
    });
    return child;
  }

  it(
    'an email mid-retry when its process is SIGKILLed is delivered exactly once by the next process',
    { timeout: 90_000 },
    async () => {
      await stopEmailOutbox();
      const ses = await localSesEndpoint();
      await ses.stop();
      const to = uniqueEmail('killed');
      const queued = await sendTemplateEmail('verify-email', to, { token: 'token-killed' });
      if (queued.status !== 'queued') throw new Error(`not queued: ${queued.status}`);

      const first = outboxProcess(ses.url);
      try {
        // the first process tried, failed (SES down) and is waiting to retry
        await until(async () => ((await getEmailStatus(queued.id))?.attempts ?? 0) >= 1, 30_000, 'a first attempt');
        expect((await getEmailStatus(queued.id))!.status).toMatch(/queued|sending/);
      } finally {
        const exited = new Promise((resolve) => first.once('exit', resolve));
        first.kill('SIGKILL');
        await exited;
      }

      await ses.start();
      const second = outboxProcess(ses.url);
      try {
        // within the lease (3 s here) plus a retry delay, even if the first process died holding the row
        await until(async () => (await storedTo(ses.url, to)).length >= 1, 45_000, 'the email');
        await sleep(3_000);
        expect(await storedTo(ses.url, to)).toHaveLength(1);
        expect(await getEmailStatus(queued.id)).toMatchObject({ status: 'sent' });
      } finally {
        second.kill('SIGKILL');
        await ses.stop();
      }
    },
  );
});

describe('several instances share the outbox', () => {
  it('two processes draining 30 emails together send each exactly once', { timeout: 90_000 }, async () => {
    await stopEmailOutbox();
    const ses = await localSesEndpoint();
    const addresses = Array.from({ length: 30 }, (_, i) => uniqueEmail(`shared-${i}`));
    for (const to of addresses) await sendTemplateEmail('verify-email', to, { token: `token-${to}` });
    const env = { ...process.env, AWS_SES_ENDPOINT: ses.url };
    const workers = [0, 1].map(() =>
      spawn(process.execPath, ['--import', 'tsx', 'tests/support/outbox-process.ts'], { env, stdio: 'ignore' }),
    );
    try {
      await until(
        async () =>
          (await Promise.all(addresses.map((a) => storedTo(ses.url, a)))).every((emails) => emails.length >= 1),
        60_000,
        'all 30 emails',
      );
      await sleep(2_000);
      for (const to of addresses) expect(await storedTo(ses.url, to)).toHaveLength(1);
    } finally {
      for (const worker of workers) worker.kill('SIGKILL');
      await ses.stop();
    }
  });
});

describe('which failures are retried', () => {
  for (const [status, type, outcome] of [
    [400, 'MessageRejected', 'failed'],
    [429, 'TooManyRequestsException', 'queued'],
    [503, 'ServiceUnavailable', 'queued'],
  ] as const) {
    it(`${type} (${status}) → ${outcome === 'failed' ? 'fails at once, not retried' : 'retried later'}`, async () => {
      await stopEmailOutbox();
      const endpoint = await failingSesEndpoint(status, type);
      try {
        const to = uniqueEmail(`error-${status}`);
        const queued = await sendTemplateEmail('verify-email', to, { token: `token-${status}` });
        if (queued.status !== 'queued') throw new Error('not queued');
        const failures: string[] = [];
        const deps = await outboxDeps({
          transport: createSesTransport({ ...getConfig().email, endpoint: endpoint.url }),
          reportFailure: (_row, code) => failures.push(code),
        });
        await deliverDueEmails(deps);
        const report = await getEmailStatus(queued.id);
        expect(report).toMatchObject({ status: outcome, attempts: 1, lastError: type });
        if (outcome === 'failed') {
          expect(failures).toContain(type);
          // a later pass does not try it again
          await deliverDueEmails(deps);
          expect((await getEmailStatus(queued.id))!.attempts).toBe(1);
        } else {
          expect(report!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
          // this email only ever had a fake endpoint: take it out of the shared queue
          await (
            await getDatabase(getConfig().database)
          )
            .update(emailOutbox)
            .set({ status: 'failed' })
            .where(eq(emailOutbox.id, queued.id));
        }
      } finally {
        await endpoint.close();
      }
    });
  }
});

describe('the outbox never blocks on a dead database and writes nothing half', () => {
  it('refuses the email with an error when Postgres does not answer', async () => {
    const pool = new Pool({
      connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none',
      connectionTimeoutMillis: 2_000,
    });
    pool.on('error', () => {});
    const dead = createOutbox({ db: pool });
    const key = `dead-db-${Date.now()}`;
    const started = performance.now();
    await expect(
      dead.enqueue(
        { from: 'a@zigznote.test', to: 'b@zigznote.test', subject: 's', html: '<p>h</p>', text: 'h' },
        { template: 't', idempotencyKey: key },
        async () => false,
      ),
    ).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(10_000);
    await pool.end();
    const live = await getDatabase(getConfig().database);
    expect(await live.select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, key))).toHaveLength(0);
  });
});

describe("the app's outbox table", () => {
  it("stores email bodies with lz4 (the package's migration, run after the app's), prepares and groups its per-email statements", async () => {
    await getDatabase(getConfig().database);
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    try {
      const compression = await pool.query(
        `select attname, attcompression from pg_attribute where attrelid = 'email_outbox'::regclass and attname in ('html', 'text') order by attname`,
      );
      expect(compression.rows).toEqual([
        { attname: 'html', attcompression: 'l' },
        { attname: 'text', attcompression: 'l' },
      ]);
    } finally {
      await pool.end();
    }
    const outbox = await getOutbox();
    expect([outbox.preparedStatements, outbox.groupEnqueues]).toEqual([true, true]);
  });

  it('is one outbox per process, so emails of concurrent requests share INSERTs', async () => {
    const outbox = await getOutbox();
    expect(await getOutbox()).toBe(outbox);
    const statements: string[] = [];
    const query = outbox.db.query.bind(outbox.db);
    const spy = vi.spyOn(outbox.db, 'query').mockImplementation(((
      statement: string | { text: string },
      values?: unknown[],
    ) => {
      statements.push(typeof statement === 'string' ? statement : statement.text);
      return (query as (s: unknown, v?: unknown[]) => Promise<{ rows: unknown[] }>)(statement, values);
    }) as typeof outbox.db.query);
    try {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          sendTemplateEmail('verify-email', uniqueEmail(`shared-${i}`), { token: `token-shared-${i}` }),
        ),
      );
      expect(results.map((result) => result.status)).toEqual(Array(30).fill('queued'));
    } finally {
      spy.mockRestore();
    }
    const inserts = statements.filter((text) => /insert into "email_outbox"/.test(text)).length;
    expect(inserts).toBeGreaterThan(0);
    expect(inserts).toBeLessThan(15);
  });
});

describe('state you can read', () => {
  it('records SES delivery, bounce and complaint events on the row, by message id', async () => {
    const db = await getDatabase(getConfig().database);
    const queued = await sendTemplateEmail('verify-email', uniqueEmail('events'), { token: 'token-events' });
    if (queued.status !== 'queued') throw new Error('not queued');
    await db
      .update(emailOutbox)
      .set({ status: 'sent', sesMessageId: `msg-${queued.id}` })
      .where(eq(emailOutbox.id, queued.id));
    const outbox = await getOutbox();
    await outbox.recordDeliveryEvent(`msg-${queued.id}`, 'delivered');
    expect((await getEmailStatus(queued.id))!.status).toBe('delivered');
    await outbox.recordDeliveryEvent(`msg-${queued.id}`, 'complained');
    expect((await getEmailStatus(queued.id))!.status).toBe('complained');
    // a late delivery event does not hide the complaint
    await outbox.recordDeliveryEvent(`msg-${queued.id}`, 'delivered');
    expect((await getEmailStatus(queued.id))!.status).toBe('complained');
  });

  it('reports how long the oldest due email has waited, so a stuck queue shows', async () => {
    const db = await getDatabase(getConfig().database);
    await stopEmailOutbox();
    const queued = await sendTemplateEmail('verify-email', uniqueEmail('stuck'), { token: 'token-stuck' });
    if (queued.status !== 'queued') throw new Error('not queued');
    await db
      .update(emailOutbox)
      .set({ nextAttemptAt: sql`now() - interval '10 minutes'` })
      .where(eq(emailOutbox.id, queued.id));
    expect(await (await getOutbox()).oldestDueAgeSeconds()).toBeGreaterThanOrEqual(600);
    await db.update(emailOutbox).set({ status: 'failed' }).where(eq(emailOutbox.id, queued.id));
  });

  it('forgets idempotency keys after the retention, so the key can be used again', async () => {
    const db = await getDatabase(getConfig().database);
    const email = { from: 'a@zigznote.test', to: uniqueEmail('retention'), subject: 's', html: '<p>h</p>', text: 'h' };
    const key = `retention-${email.to}`;
    const outbox = await getOutbox();
    const first = await outbox.enqueue(email, { template: 't', idempotencyKey: key }, async () => false);
    expect((await outbox.enqueue(email, { template: 't', idempotencyKey: key }, async () => false)).status).toBe(
      'duplicate',
    );
    if (first.status !== 'queued') throw new Error('not queued');
    await db
      .update(emailOutbox)
      .set({ createdAt: sql`now() - interval '8 days'`, status: 'sent' })
      .where(eq(emailOutbox.id, first.id));
    expect(await outbox.forgetIdempotencyKeys(7)).toBeGreaterThanOrEqual(1);
    expect(
      (await outbox.enqueue({ ...email, subject: 'other' }, { template: 't', idempotencyKey: key }, async () => false))
        .status,
    ).toBe('queued');
    await db.update(emailOutbox).set({ status: 'failed' }).where(eq(emailOutbox.idempotencyKey, key));
  });
});

describe('leases and hung sends', () => {
  /** Queues one email to each address directly in the outbox, as the app does. */
  async function queue(outbox: Outbox, addresses: string[]) {
    for (const to of addresses) {
      const queued = await outbox.enqueue(
        { from: getConfig().email.from, to, subject: 'Lease test', html: '<p>hi</p>', text: 'hi' },
        { template: 'lease-test', idempotencyKey: `lease-test:${to}` },
        async () => false,
      );
      expect(queued).toMatchObject({ ok: true, status: 'queued' });
    }
  }

  it(
    'two workers at 1 email/s with a lease shorter than the queue: 30 emails, each sent exactly once',
    { timeout: 120_000 },
    async () => {
      await stopEmailOutbox();
      const ses = await localSesEndpoint();
      try {
        const db = await getDatabase(getConfig().database);
        const addresses = Array.from({ length: 30 }, (_, i) => uniqueEmail(`lease-${i}`));
        await queue(await getOutbox(), addresses);
        // a 3 s lease: the rows a worker claims wait up to 30 s for their send slot
        const deps = await outboxDeps({
          transport: createSesTransport({ ...getConfig().email, endpoint: ses.url }),
          sendRate: 1,
          leaseMs: 3_000,
        });
        const done = async () =>
          (await db.select().from(emailOutbox).where(inArray(emailOutbox.recipient, addresses))).every(
            (row) => row.status === 'sent',
          );
        const worker = async () => {
          while (!(await done())) {
            await deliverDueEmails(deps);
            await sleep(200);
          }
        };
        await Promise.all([worker(), worker()]);
        for (const address of addresses) expect((await storedTo(ses.url, address)).length, address).toBe(1);
      } finally {
        await ses.stop();
      }
    },
  );

  it('a row whose sender died five times over fails with that reason instead of being claimed for ever', async () => {
    await stopEmailOutbox();
    const db = await getDatabase(getConfig().database);
    const to = uniqueEmail('reclaimed');
    await queue(await getOutbox(), [to]);
    const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.recipient, to));
    // others due meanwhile are left alone: only this row's lease is made to run out, six claims in a row
    let claimed;
    for (let claim = 0; claim < 6; claim++) {
      await db
        .update(emailOutbox)
        .set({ leaseUntil: sql`now() - interval '1 second'` })
        .where(eq(emailOutbox.id, row!.id));
      claimed = (await claimDueEmails(await getOutbox(), 1_000, 60_000)).find((r) => r.id === row!.id);
      expect(claimed, `claim ${claim + 1}`).toBeDefined();
      for (const other of await db
        .select()
        .from(emailOutbox)
        .where(sql`status = 'sending' and id <> ${row!.id} and lease_until > now()`)) {
        await db.update(emailOutbox).set({ status: 'queued', leaseUntil: null }).where(eq(emailOutbox.id, other.id));
      }
    }
    const deps = await outboxDeps({
      transport: { name: 'never called', send: () => Promise.reject(new Error('must not send')) },
      log: () => {},
    });
    expect(await attemptDelivery(claimed!, deps)).toBe('failed');
    const [after] = await db.select().from(emailOutbox).where(eq(emailOutbox.id, row!.id));
    expect(after!.lastError).toBe('Reclaimed (5): the process sending it stopped or hung 5 times');
  });

  it(
    'a hung SES call times out, fails after three tries with the reason, and the other emails still go',
    { timeout: 60_000 },
    async () => {
      await stopEmailOutbox();
      const ses = await localSesEndpoint();
      try {
        const db = await getDatabase(getConfig().database);
        const hung = uniqueEmail('hung');
        const others = Array.from({ length: 5 }, (_, i) => uniqueEmail(`beside-hung-${i}`));
        await queue(await getOutbox(), [hung, ...others]);
        const real = createSesTransport({ ...getConfig().email, endpoint: ses.url });
        const deps = await outboxDeps({
          transport: {
            name: 'hangs for one address',
            send: (email) => (email.to === hung ? new Promise(() => {}) : real.send(email)),
          },
          sendRate: 50,
          sendTimeoutMs: 300,
          baseDelayMs: 100,
          maxDelayMs: 200,
          log: () => {},
        });
        await until(
          async () => {
            await deliverDueEmails(deps);
            const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.recipient, hung));
            return row!.status === 'failed';
          },
          30_000,
          'the hung email to fail',
        );
        const [row] = await db.select().from(emailOutbox).where(eq(emailOutbox.recipient, hung));
        expect(row!.lastError).toBe('SendTimeout (3): SES gave no answer within 300 ms, 3 times');
        expect(row!.attempts).toBe(3);
        const beside = await db.select().from(emailOutbox).where(inArray(emailOutbox.recipient, others));
        expect(beside.map((r) => r.status)).toEqual(Array(5).fill('sent'));
      } finally {
        await ses.stop();
      }
    },
  );
});

// Email benchmark: render time per template (median and p95 of warm renders), HTML rendered once and the
// text part derived from it, as sending does; then the outbox: enqueue latency, and emails per second to
// the local SES endpoint through the outbox (enqueue, claim, send, record) over direct transport sends at
// the same concurrency, measured in this run.
import { loadConfig } from '../lib/config';
import { sql } from 'drizzle-orm';
import { createOutbox, createSesTransport, MemorySendRate, renderEmail, startOutboxWorker, type OutgoingEmail } from '@zigznote/email';
import { closeDatabase, emailOutbox, getDatabase, getSqlClient } from '../lib/db';
import { templates } from '../lib/email';
import { percentile, printTable } from './support';

const appUrl = 'https://app.example.com';
const cases = [
  templates.welcomeEmail(appUrl, 'Ada'),
  templates.verificationEmail(appUrl, 'token'),
  templates.passwordResetEmail(appUrl, 'Ada', 'token'),
  templates.passwordChangedEmail(appUrl, 'Ada'),
  templates.accountExistsEmail(appUrl, 'Ada'),
];

async function main() {
  const rows: Array<[string, string, string]> = [];
  for (const email of cases) {
    for (let i = 0; i < 20; i++) await renderEmail(email.react);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await renderEmail(email.react);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    rows.push([`render ${email.template} (HTML + text)`, `median ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms`, '-']);
  }
  printTable('Email rendering (warm, 200 renders each)', rows);
  await outboxThroughput();
}

const BATCH = 400;
const CONCURRENCY = 8;

async function outboxThroughput() {
  const config = loadConfig(process.env);
  const db = await getDatabase(config.database);
  const transport = createSesTransport(config.email);
  const run = Date.now();
  const { html, text } = await renderEmail(templates.verificationEmail('https://app.example.com', 'token').react);
  const email = (i: number, label: string): OutgoingEmail => ({
    from: config.email.from,
    to: `bench.${label}.${run}.${i}@zigznote.test`,
    subject: 'Verify your email address',
    html,
    text,
  });

  // direct: CONCURRENCY loops sending through the transport
  let next = 0;
  let started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BATCH) await transport.send(email(next++, 'direct'));
    }),
  );
  const directRate = BATCH / ((performance.now() - started) / 1000);

  // outbox: CONCURRENCY request loops enqueue (each timed) while this process's worker sends, as in the app
  const enqueueTimes: number[] = [];
  const outbox = createOutbox({ db: await getSqlClient(config.database) });
  const rate = new MemorySendRate();
  const worker = startOutboxWorker(() => ({ outbox, transport, rate, sendRate: 10_000 }), { pollMs: 50 });
  started = performance.now();
  next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < BATCH) {
        const i = next++;
        const t = performance.now();
        await outbox.enqueue(email(i, 'outbox'), { template: 'bench', idempotencyKey: `bench-${run}-${i}` }, async () => false);
        enqueueTimes.push(performance.now() - t);
        worker.wake();
      }
    }),
  );
  const enqueued = performance.now();
  for (;;) {
    const result = await db.execute(sql`select count(*)::int as sent from ${emailOutbox} where idempotency_key like ${`bench-${run}-%`} and status = 'sent'`);
    if ((result as unknown as { rows: Array<{ sent: number }> }).rows[0]!.sent >= BATCH) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await worker.stop();
  const outboxRate = BATCH / ((performance.now() - started) / 1000);
  const phases = `all queued after ${((enqueued - started) / 1000).toFixed(2)} s, all sent after ${((performance.now() - started) / 1000).toFixed(2)} s`;
  enqueueTimes.sort((a, b) => a - b);
  printTable(`Email outbox (${BATCH} emails to the local SES endpoint, ${CONCURRENCY} at a time, EMAIL_SEND_RATE unlimited)`, [
    [
      'emails/s through the outbox / direct sends',
      `${(outboxRate / directRate).toFixed(2)} (${outboxRate.toFixed(0)} / ${directRate.toFixed(0)} per s)`,
      '≥ 0.8',
    ],
    ['outbox timeline', phases, '-'],
    ['enqueue latency (render excluded), p50 / p95', `${percentile(enqueueTimes, 50).toFixed(2)} ms / ${percentile(enqueueTimes, 95).toFixed(2)} ms`, '-'],
  ]);
  await closeDatabase();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// Where one email's CPU goes in the outbox, apart from SES: Postgres's (every postgres process, from
// /proc) and this process's, per email, to enqueue 4,000 emails 8 at a time (grouped, prepared, as the
// app does) and then to claim and record them through a transport that sends nothing; then one claim's
// time with a backlog of 100,000 waiting. Read beside
// bench/email.ts: a direct send's cost on its thread bounds what the outbox ratio can reach. Linux only.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { createOutbox, deliverDueEmails, MemorySendRate, renderEmail } from '@zigznote/email';
import { buildEmail } from '../lib/email';
import { printTable } from './support';

const EMAILS = 4000;
const CONCURRENCY = 8;
const ROUNDS = 3;
const BACKLOG = 100_000;
const CLOCK_TICK_MS = 10;

/** CPU time of every Postgres process so far, in ms (utime + stime from /proc/<pid>/stat). */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return ticks * CLOCK_TICK_MS;
}

const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function main() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const table = `bench_outbox_cpu_${process.pid}`;
  const outbox = createOutbox({ db: pool, table, preparedStatements: true, groupEnqueues: true });
  await outbox.migrate();
  const { html, text } = await renderEmail(
    buildEmail('verify-email', 'https://app.example.com', { token: 'token' }).react,
  );
  const nothingSent = { name: 'sends nothing', send: async () => ({ messageId: 'bench' }) };
  const perEmail = (ms: number) => `${((ms * 1000) / EMAILS).toFixed(0)} µs`;
  const rows: string[][] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      let next = 0;
      const postgresBefore = postgresCpuMs();
      const ownBefore = ownCpuMs();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < EMAILS) {
            const i = next++;
            await outbox.enqueue(
              { from: 'bench@zigznote.test', to: `r${round}.${i}@zigznote.test`, subject: 'Verify', html, text },
              { template: 'bench', idempotencyKey: `${table}-${round}-${i}` },
              async () => false,
            );
          }
        }),
      );
      const postgresQueued = postgresCpuMs();
      const ownQueued = ownCpuMs();
      let delivered = 0;
      for (;;) {
        const tried = await deliverDueEmails({
          outbox,
          transport: nothingSent,
          rate: new MemorySendRate(),
          sendRate: 1e9,
        });
        if (tried === 0) break;
        delivered += tried;
      }
      if (delivered !== EMAILS) throw new Error(`delivered ${delivered} of ${EMAILS}`);
      rows.push([
        `round ${round}: enqueue, Postgres / Node per email`,
        `${perEmail(postgresQueued - postgresBefore)} / ${perEmail(ownQueued - ownBefore)}`,
        '-',
      ]);
      rows.push([
        `round ${round}: claim and record, Postgres / Node per email`,
        `${perEmail(postgresCpuMs() - postgresQueued)} / ${perEmail(ownCpuMs() - ownQueued)}`,
        '-',
      ]);
    }
    // A backlog (SES down for an hour): what one claim costs when 100,000 emails wait.
    await pool.query(
      `insert into ${table} (idempotency_key, content_hash, template, recipient, sender, subject, html, text)
       select 'backlog-' || n, 'hash', 'bench', 'r' || n || '@zigznote.test', 'bench@zigznote.test', 'Verify', $1, $2
       from generate_series(1, ${BACKLOG}) as n`,
      [html, text],
    );
    await pool.query(`analyze ${table}`);
    const claims: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const claimed = await outbox.claimDue(32, 60_000, 'Reclaimed');
      claims.push(performance.now() - started);
      if (claimed.length !== 32) throw new Error(`claimed ${claimed.length} of 32`);
    }
    claims.sort((a, b) => a - b);
    rows.push([
      `one claim of 32 with ${BACKLOG.toLocaleString('en')} emails waiting (median of 20)`,
      `${claims[10]!.toFixed(2)} ms`,
      '-',
    ]);
  } finally {
    await pool.query(`drop table if exists ${table}`);
    await pool.end();
  }
  printTable(`Outbox CPU per email (${EMAILS} emails, ${CONCURRENCY} at a time, html ${html.length} chars)`, rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

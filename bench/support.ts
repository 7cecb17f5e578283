// Small pieces every benchmark shares: percentiles, a keep-alive HTTP load loop, servers started with
// `next start`, and a table printer. Figures are ratios taken within one run, since these machines are noisy.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import type Redis from 'ioredis';

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function printTable(title: string, rows: string[][], headers: string[] = ['measure', 'value', 'goal']) {
  const widths = headers.map((header, i) => Math.max(...rows.map((r) => (r[i] ?? '').length), header.length));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

/** Requests per second (and each request's latency, sorted) against one URL with `concurrency` keep-alive loops for `seconds`. */
export async function requestsPerSecond(
  url: string,
  seconds: number,
  concurrency = 16,
  headers: Record<string, string> = {},
): Promise<{ rps: number; statuses: Record<number, number>; latenciesMs: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const statuses: Record<number, number> = {};
  let done = 0;
  const latenciesMs: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, agent, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        await once();
        latenciesMs.push(performance.now() - sent);
        done += 1;
      }
    }),
  );
  agent.destroy();
  return {
    rps: done / ((performance.now() - started) / 1000),
    statuses,
    latenciesMs: latenciesMs.sort((a, b) => a - b),
  };
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

export async function startNextServer(cwd: string, port: number, env: Record<string, string>): Promise<RunningServer> {
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('node_modules/.bin/next', ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd,
    env: { ...process.env, NODE_ENV: 'production', NEXT_PUBLIC_APP_URL: url, ...env },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/api/version`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start in ${cwd} on ${port} did not answer`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The limiter the seed shipped, the baseline of the rate-limit benches: four separate calls per check, not atomic. */
export async function seedSlidingLogCheck(
  client: Redis,
  key: string,
  limit: number,
  windowMs: number,
): Promise<boolean> {
  const now = Date.now();
  await client.zremrangebyscore(key, 0, now - windowMs);
  const count = await client.zcard(key);
  if (count >= limit) return false;
  await client.zadd(key, now, `${now}-${Math.random()}`);
  await client.pexpire(key, windowMs);
  return true;
}

/**
 * Microseconds Redis spent inside the named commands per call of `work` (INFO commandstats, reset first).
 * A script's or transaction's own figure includes the commands it ran: name the wrappers, not their insides.
 */
export async function redisCommandMicros(
  observer: Redis,
  names: string[],
  work: (i: number) => Promise<unknown>,
  n: number,
): Promise<number> {
  await observer.config('RESETSTAT');
  for (let i = 0; i < n; i++) await work(i);
  let usec = 0;
  for (const match of (await observer.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=\d+,usec=(\d+)/g)) {
    if (names.includes(match[1]!)) usec += Number(match[2]);
  }
  return usec / n;
}

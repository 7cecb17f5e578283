// @zigznote/ratelimit against the baselines issue 30 names, all in one run on one connection:
// Ratelimit.slidingWindow's check latency over PING, its checks per second with 64 in flight over the
// seed's four-command sliding log, and Redis CPU per check over the seed's (the whole process's, and the
// time inside commands alone).
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Ratelimit } from '../packages/ratelimit/src/index';
import { percentile, printTable, redisCommandMicros, seedSlidingLogCheck } from './support';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is not set: run `npm run bench`');

/** Checks per second with `inFlight` loops for `seconds`. */
async function throughput(inFlight: number, seconds: number, check: (i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1_000;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, loop) => {
      while (performance.now() < deadline) await check(loop * 1_000_000 + done++);
    }),
  );
  return done / ((performance.now() - began) / 1_000);
}

async function main() {
  const client = new Redis(redisUrl!);
  const observer = new Redis(redisUrl!);
  const run = randomBytes(4).toString('hex');
  const ratelimit = new Ratelimit({
    redis: client,
    limiter: Ratelimit.slidingWindow(1_000_000_000, '60 s'),
    prefix: `bench-pkg:${run}`,
    ephemeralCache: false,
  });
  const rows: Array<[string, string, string]> = [];
  for (let i = 0; i < 300; i++) {
    await client.ping();
    await ratelimit.limit(`warm-${i % 10}`);
  }

  const pings: number[] = [];
  const checks: number[] = [];
  for (let i = 0; i < 3_000; i++) {
    let t = performance.now();
    await client.ping();
    pings.push(performance.now() - t);
    t = performance.now();
    await ratelimit.limit(`p50-${i % 50}`);
    checks.push(performance.now() - t);
  }
  pings.sort((a, b) => a - b);
  checks.sort((a, b) => a - b);
  const [check50, ping50] = [percentile(checks, 50), percentile(pings, 50)];
  rows.push([
    'slidingWindow limit() p50 / PING p50',
    `${(check50 / ping50).toFixed(2)} (${(check50 * 1000).toFixed(0)} µs / ${(ping50 * 1000).toFixed(0)} µs)`,
    '-',
  ]);

  // Alternated twice, so a noisy neighbour hurts both sides alike.
  let ours = 0;
  let seed = 0;
  for (let round = 0; round < 2; round++) {
    ours += await throughput(64, 3, (i) => ratelimit.limit(`tp-${i % 500}`));
    seed += await throughput(64, 3, (i) =>
      seedSlidingLogCheck(client, `bench-seed:${run}:${i % 500}`, 1_000_000_000, 60_000),
    );
  }
  rows.push([
    'checks/s with 64 in flight: slidingWindow / seed',
    `${(ours / seed).toFixed(2)} (${(ours / 2).toFixed(0)} / ${(seed / 2).toFixed(0)})`,
    '≥ 2',
  ]);

  // Redis's whole process CPU (INFO cpu: user + system), which counts what a round trip costs it (reading,
  // parsing, replying) as well as the commands; checks one after another on one connection, alternated.
  const processCpuMicros = async (work: (i: number) => Promise<unknown>, n = 5_000) => {
    const cpu = async () => {
      const info = await observer.info('cpu');
      return Number(/used_cpu_user:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]);
    };
    const before = await cpu();
    for (let i = 0; i < n; i++) await work(i);
    return (((await cpu()) - before) * 1e6) / n;
  };
  let ourCpu = 0;
  let seedCpu = 0;
  for (let round = 0; round < 2; round++) {
    ourCpu += await processCpuMicros((i) => ratelimit.limit(`cpu-${i % 100}`));
    seedCpu += await processCpuMicros((i) =>
      seedSlidingLogCheck(client, `bench-seed-cpu:${run}:${i % 100}`, 1_000_000_000, 60_000),
    );
  }
  rows.push([
    'Redis process CPU per check: slidingWindow / seed',
    `${(ourCpu / seedCpu).toFixed(2)} (${(ourCpu / 2).toFixed(1)} µs / ${(seedCpu / 2).toFixed(1)} µs)`,
    '≤ 1.0',
  ]);

  // INFO commandstats: time inside commands only (a script's figure includes the commands it ran). The
  // seed's four commands are cheap to execute; what they cost is four round trips, which this leaves out.
  const commandMicros = (names: string[], work: (i: number) => Promise<unknown>) =>
    redisCommandMicros(observer, names, work, 3_000);
  const seedCommands = await commandMicros(['zremrangebyscore', 'zcard', 'zadd', 'pexpire'], (i) =>
    seedSlidingLogCheck(client, `bench-seed-cmd:${run}:${i % 100}`, 1_000_000_000, 60_000),
  );
  const ourCommands = await commandMicros(['evalsha', 'eval', 'time'], (i) => ratelimit.limit(`cmd-${i % 100}`));
  rows.push([
    'time inside commands per check: slidingWindow / seed',
    `${(ourCommands / seedCommands).toFixed(2)} (${ourCommands.toFixed(1)} µs / ${seedCommands.toFixed(1)} µs)`,
    '-',
  ]);

  printTable('@zigznote/ratelimit: Ratelimit.slidingWindow on one connection', rows);
  client.disconnect();
  observer.disconnect();
}

void main();

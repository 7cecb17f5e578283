// Rate limiter benchmark: check latency over raw PING on the same connection, Redis commands per check,
// Redis commands per request during a flood from an already-blocked client, and requests per second of a
// limited route over the same route unlimited through `next start` (Node and Edge middleware).
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRateLimiter, normalizeIp, RateLimiter, RedisStore, slotKey, DEFAULT_POLICIES } from '../lib/rate-limit';
import {
  percentile,
  printTable,
  redisCommandMicros,
  requestsPerSecond,
  seedSlidingLogCheck,
  startNextServer,
} from './support';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is not set: run `npm run bench`');

async function commandStats(client: Redis): Promise<Map<string, number>> {
  const stats = new Map<string, number>();
  for (const match of (await client.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) {
    stats.set(match[1]!, Number(match[2]));
  }
  return stats;
}

function delta(before: Map<string, number>, after: Map<string, number>, names: string[]): number {
  return names.reduce((sum, name) => sum + (after.get(name) ?? 0) - (before.get(name) ?? 0), 0);
}

async function main() {
  const client = new Redis(redisUrl!);
  const observer = new Redis(redisUrl!);
  const store = new RedisStore(client);
  const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store, timeoutMs: 1_000, log: () => {} });
  const run = randomBytes(4).toString('hex');
  const rows: Array<[string, string, string]> = [];

  // warm up: script loaded, connection established
  for (let i = 0; i < 200; i++) {
    await client.ping();
    await limiter.limit({ group: 'api', ip: `warm-${run}` });
  }

  // 1. latency of a check over PING, interleaved on the same connection
  const pings: number[] = [];
  const checks: number[] = [];
  const samples = 3_000;
  for (let i = 0; i < samples; i++) {
    let t = performance.now();
    await client.ping();
    pings.push(performance.now() - t);
    t = performance.now();
    await store.check(
      [
        {
          name: 'login',
          key: `bench:${run}:${i % 50}`,
          limit: 1_000_000,
          windowMs: 60_000,
          algorithm: 'sliding-log',
          cost: 1,
        },
      ],
      `bench-${run}`,
    );
    checks.push(performance.now() - t);
  }
  pings.sort((a, b) => a - b);
  checks.sort((a, b) => a - b);
  for (const p of [50, 99]) {
    rows.push([
      `check latency / PING latency, p${p}`,
      `${(percentile(checks, p) / percentile(pings, p)).toFixed(2)} (${(percentile(checks, p) * 1000).toFixed(0)} µs / ${(percentile(pings, p) * 1000).toFixed(0)} µs)`,
      '≤ 1.3',
    ]);
  }

  // 1b. the toolkit's whole check (policy, timeout, headers, Upstash fields) over a raw MULTI/EXEC of the
  // same commands for the same counter key, on the same connection
  const toolkit = createRateLimiter({
    policies: DEFAULT_POLICIES,
    redis: client,
    overrides: 'api=1000000000/1m',
    timeoutMs: 1_000,
    log: () => {},
  });
  const apiIp = `198.18.0.${run.length}`;
  const apiKey = slotKey(`v1:api:ip:${apiIp}`, `v1:api:ip:${apiIp}`);
  const raw: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < samples; i++) {
    let t = performance.now();
    const index = Math.floor(Date.now() / 60_000);
    await client
      .multi()
      .incrby(`${apiKey}:${index}`, 1)
      .pexpire(`${apiKey}:${index}`, 120_000)
      .get(`${apiKey}:${index - 1}`)
      .exec();
    raw.push(performance.now() - t);
    t = performance.now();
    await toolkit.limit({ group: 'api', ip: apiIp });
    whole.push(performance.now() - t);
  }
  raw.sort((a, b) => a - b);
  whole.sort((a, b) => a - b);
  rows.push([
    'createRateLimiter().limit / raw MULTI of its commands, p50',
    `${(percentile(whole, 50) / percentile(raw, 50)).toFixed(2)} (${(percentile(whole, 50) * 1000).toFixed(0)} µs / ${(percentile(raw, 50) * 1000).toFixed(0)} µs)`,
    '≤ 1.3',
  ]);

  // 1c. Redis CPU per check (INFO commandstats usec), ours against the seed's four commands
  const redisMicros = (names: string[], work: (i: number) => Promise<unknown>) =>
    redisCommandMicros(observer, names, work, 2_000);
  const seedMicros = await redisMicros(['zremrangebyscore', 'zcard', 'zadd', 'pexpire'], (i) =>
    seedSlidingLogCheck(client, `seed-cpu:${run}:${i % 100}`, 1_000_000, 60_000),
  );
  const oneLimit = await redisMicros(['multi', 'exec', 'time'], (i) =>
    limiter.limitCustom(`cpu-${run}-${i % 100}`, 1_000_000, 60),
  );
  const oneCounter = await redisMicros(['multi', 'exec', 'time'], (i) =>
    toolkit.limit({ group: 'api', ip: `cpu-${run}-${i % 100}` }),
  );
  const loginV6 = await redisMicros(['multi', 'exec', 'time'], (i) =>
    limiter.limit({ group: 'login', ip: normalizeIp(`2001:db8:${i % 200}::1`), email: `cpu${i}@bench.test` }),
  );
  rows.push(['Redis CPU per check: seed four commands', `${seedMicros.toFixed(1)} µs`, '-']);
  rows.push([
    '  one sliding-log limit / seed',
    `${(oneLimit / seedMicros).toFixed(2)} (${oneLimit.toFixed(1)} µs)`,
    '≤ 1.5',
  ]);
  rows.push([
    '  one counter limit (api) / seed',
    `${(oneCounter / seedMicros).toFixed(2)} (${oneCounter.toFixed(1)} µs)`,
    '≤ 1.5',
  ]);
  rows.push([
    '  three-limit login (IPv6: login, login-ip, login-ip-48) / seed',
    `${(loginV6 / seedMicros).toFixed(2)} (${loginV6.toFixed(1)} µs)`,
    '≤ 2.5',
  ]);

  // 2. commands sent per check (a multi-limit login check)
  let before = await commandStats(observer);
  const n = 1_000;
  for (let i = 0; i < n; i++)
    await limiter.limit({ group: 'login', ip: `10.${i % 250}.0.1`, email: `u${i}@bench.test` });
  let after = await commandStats(observer);
  const sent = delta(before, after, ['exec']);
  const inside = delta(before, after, [
    'zremrangebyscore',
    'zcard',
    'zadd',
    'pexpire',
    'zrange',
    'incrby',
    'get',
    'mget',
    'zrem',
    'decrby',
  ]);
  rows.push([
    'Redis round trips (MULTI/EXEC) per check (login, IPv4: 2 limits)',
    `${(sent / n).toFixed(3)} (${(inside / n).toFixed(1)} commands inside)`,
    '1',
  ]);

  // the replaced limiter, for comparison: commands per check and its burst behaviour
  before = await commandStats(observer);
  for (let i = 0; i < n; i++) await seedSlidingLogCheck(client, `naive:${run}:${i}`, 5, 60_000);
  after = await commandStats(observer);
  rows.push([
    '  replaced 4-call limiter: commands per check',
    (delta(before, after, ['zremrangebyscore', 'zcard', 'zadd', 'pexpire']) / n).toFixed(2),
    '-',
  ]);
  const naiveBurst = await Promise.all(
    Array.from({ length: 200 }, () => seedSlidingLogCheck(client, `naive-burst:${run}`, 5, 60_000)),
  );
  const oursBurst = await Promise.all(
    Array.from({ length: 200 }, () =>
      limiter.limit({ group: 'login', ip: '192.0.2.1', email: `burst-${run}@bench.test` }),
    ),
  );
  rows.push([
    '200 concurrent attempts, limit 5: passed (ours / replaced)',
    `${oursBurst.filter((d) => d.allowed).length} / ${naiveBurst.filter(Boolean).length}`,
    '5 / -',
  ]);

  // 3. flood from a client already over its limit
  const floodIp = `flood-${run}`;
  while ((await limiter.limit({ group: 'register', ip: floodIp })).allowed) {
    // use up the limit
  }
  before = await commandStats(observer);
  const flood = 10_000;
  for (let i = 0; i < flood; i++) await limiter.limit({ group: 'register', ip: floodIp });
  after = await commandStats(observer);
  const floodCommands = [...after.keys()]
    .filter((k) => k !== 'info')
    .reduce((sum, k) => sum + (after.get(k) ?? 0) - (before.get(k) ?? 0), 0);
  rows.push([
    'Redis commands per request, flood of 10,000 from a blocked client',
    (floodCommands / flood).toFixed(4),
    '< 0.01',
  ]);

  await client.quit();
  await observer.quit();

  // 4. requests per second through next start, limited over unlimited
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const modes: Array<['Node' | 'Edge', string]> = [['Node', '.']];
  if (existsSync('.data/edge-app/.next/BUILD_ID')) modes.push(['Edge', '.data/edge-app']);
  const bridgeSecret = randomBytes(32).toString('hex');
  let port = 3310;
  for (const [mode, cwd] of modes) {
    const limitedPort = port++;
    const unlimitedPort = port++;
    const limited = await startNextServer(cwd, limitedPort, {
      RATE_LIMITS: 'api=1000000000/1m',
      RATE_LIMIT_BRIDGE_SECRET: bridgeSecret,
      RATE_LIMIT_BRIDGE_URL: `http://127.0.0.1:${limitedPort}`,
    });
    const unlimited = await startNextServer(cwd, unlimitedPort, { RATE_LIMITS_DISABLED: 'true' });
    await requestsPerSecond(`${limited.url}/api/version`, 1);
    await requestsPerSecond(`${unlimited.url}/api/version`, 1);
    const check = await fetch(`${limited.url}/api/version`);
    if (!check.headers.get('ratelimit')) throw new Error(`${mode}: the limited server sent no RateLimit header`);
    // One client at a time shows the added latency; sixteen show throughput under load.
    for (const concurrency of [1, 16]) {
      let limitedTotal = 0;
      let unlimitedTotal = 0;
      // alternate which goes first, so neither side always runs on a warmer or cooler machine
      for (let round = 0; round < 4; round++) {
        const order = round % 2 === 0 ? (['limited', 'unlimited'] as const) : (['unlimited', 'limited'] as const);
        for (const side of order) {
          const server = side === 'limited' ? limited : unlimited;
          const { rps } = await requestsPerSecond(`${server.url}/api/version`, seconds, concurrency);
          if (side === 'limited') limitedTotal += rps;
          else unlimitedTotal += rps;
        }
      }
      rows.push([
        `${mode} middleware (@zigznote/ratelimit/next): req/s limited / unlimited, ${concurrency} client${concurrency > 1 ? 's' : ''}`,
        `${(limitedTotal / unlimitedTotal).toFixed(2)} (${(limitedTotal / 4).toFixed(0)} / ${(unlimitedTotal / 4).toFixed(0)})`,
        // On the Edge every limited request also costs its bridge's share of a request to the Node route.
        mode === 'Node' && concurrency === 1 ? '≥ 0.85' : mode === 'Edge' && concurrency === 16 ? '≥ 0.5' : '-',
      ]);
    }
    await limited.stop();
    await unlimited.stop();
  }

  printTable('Rate limiting (ratios measured in this run)', rows);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

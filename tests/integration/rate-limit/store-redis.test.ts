import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore, slotKey } from '@zigznote/ratelimit';
import { LeasingStore } from '@zigznote/ratelimit';
import { freePort, startRedisServer } from '../../support/redis-server';
import { counterLimit, logLimit, storeContract, uniqueKey } from '../../support/store-contract';

// Four separate connections to the real Redis the test command started.
const connections = Array.from({ length: 4 }, () => new Redis(process.env.REDIS_URL!));
const stores = connections.map((connection) => new RedisStore(connection));

afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
});

storeContract('Redis store', () => stores);

describe('Redis store: one round trip per check', () => {
  it('sends one MULTI/EXEC per allowed check, however many limits it holds, and no script', async () => {
    // A Redis of its own: server-wide command counts on the shared one include every other client's.
    const own = await startRedisServer(await freePort());
    const client = new Redis(`redis://127.0.0.1:${own.port}`);
    try {
      const store = new RedisStore(client);
      const specs = [
        logLimit(uniqueKey('a'), 50, 60_000, 'a'),
        logLimit(uniqueKey('b'), 50, 60_000, 'b'),
        counterLimit(uniqueKey('c'), 50, 60_000, 'c'),
      ];
      await store.check(specs, 'one-call');
      const before = await commandCalls(client);
      for (let i = 0; i < 10; i++) expect((await store.check(specs, 'one-call')).allowed).toBe(true);
      const after = await commandCalls(client);
      const sent = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
      expect(sent('exec')).toBe(10);
      expect(sent('multi')).toBe(10);
      expect(sent('evalsha') + sent('eval') + sent('time')).toBe(0);
    } finally {
      await client.quit();
      await own.stop();
    }
  });

  it('keeps its keys under the hash tag and lets them expire with the window', async () => {
    const key = uniqueKey('ttl');
    await stores[0]!.check([logLimit(key, 5, 5_000)], 'ttl-tag');
    const ttl = await connections[0]!.pttl(slotKey('ttl-tag', key));
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });
});

describe('Redis store: every hit counted, no refused hit kept', () => {
  it('counts hits recorded at the very same instant by different processes', async () => {
    // One fixed clock for every store: the hits share a score, and each must still be its own member.
    const instant = Date.now();
    const sameInstant = connections.map((connection) => new RedisStore(connection, { clock: () => instant }));
    const key = uniqueKey('instant');
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        sameInstant[i % sameInstant.length]!.check([logLimit(key, 100, 60_000)], 'instant'),
      ),
    );
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(await connections[0]!.zcard(slotKey('instant', key))).toBe(60);
    expect(
      new Set(
        await connections[0]!
          .zrange(slotKey('instant', key), 0, '-1', 'WITHSCORES')
          .then((r) => r.filter((_, i) => i % 2 === 1)),
      ).size,
    ).toBe(1);
  });

  it('leaves exactly the admitted hits behind a burst that was mostly refused', async () => {
    const log = logLimit(uniqueKey('burst-log'), 5, 60_000, 'log');
    const counter = counterLimit(uniqueKey('burst-counter'), 7, 60_000, 'counter');
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => stores[i % stores.length]!.check([log, counter], 'burst')),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(await connections[0]!.zcard(slotKey('burst', log.key))).toBe(5);
    const counted = await stores[0]!.check([{ ...counter, cost: 0 }], 'burst');
    expect(counted.limits[0]!.remaining).toBe(2);
  });
});

describe('Redis store: counter leases across processes', () => {
  it('admit exactly the limit from three processes together, and cost Redis one check per lease', async () => {
    const leasing = connections.slice(0, 3).map((connection) => new LeasingStore(new RedisStore(connection), 10));
    const spec = counterLimit(uniqueKey('leased'), 100, 3_600_000, 'api');
    // an hour-long window, begun well before: a window boundary inside the test would weight the counts
    let allowed = 0;
    for (let i = 0; i < 300; i++) if ((await leasing[i % 3]!.check([spec], 'leases')).allowed) allowed += 1;
    // one request at a time: no lease is taken beyond the request itself, so none is stranded either
    expect(allowed).toBe(100);

    // a concurrent burst on two processes, as two instances behind a balancer see it
    const burstSpec = counterLimit(uniqueKey('leased-burst'), 100, 3_600_000, 'api');
    const burst = await Promise.all(
      Array.from({ length: 150 }, (_, i) => leasing[i % 2]!.check([burstSpec], 'leases')),
    );
    expect(burst.filter((r) => r.allowed)).toHaveLength(100);

    const own = await startRedisServer(await freePort());
    const client = new Redis(`redis://127.0.0.1:${own.port}`);
    try {
      const busy = new LeasingStore(new RedisStore(client), 10);
      const high = counterLimit(uniqueKey('busy'), 1_000_000, 3_600_000, 'api');
      await busy.check([high], 'busy');
      const before = await commandCalls(client);
      // a busy client: 1,000 requests, 50 at a time
      for (let wave = 0; wave < 20; wave++) {
        const outcomes = await Promise.all(Array.from({ length: 50 }, () => busy.check([high], 'busy')));
        expect(outcomes.every((o) => o.allowed)).toBe(true);
      }
      const after = await commandCalls(client);
      // per wave of 50: one check for the first request, then leases of 10 for the 49 waiting behind it
      expect((after.get('exec') ?? 0) - (before.get('exec') ?? 0)).toBeLessThanOrEqual(20 * 6);
    } finally {
      await client.quit();
      await own.stop();
    }
  });
});

async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const match of (await client.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g))
    calls.set(match[1]!, Number(match[2]));
  return calls;
}

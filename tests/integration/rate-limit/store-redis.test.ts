import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore, slotKey } from '@/lib/rate-limit/store-redis';
import { freePort, startRedisServer } from '../../support/redis-server';
import { logLimit, storeContract, uniqueKey } from '../../support/store-contract';

// Four separate connections to the real Redis the test command started.
const connections = Array.from({ length: 4 }, () => new Redis(process.env.REDIS_URL!));
const stores = connections.map((connection) => new RedisStore(connection));

afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
});

storeContract('Redis store', () => stores);

describe('Redis store: one command per check', () => {
  it('sends one EVALSHA per check, however many limits it holds', async () => {
    // A Redis of its own: server-wide command counts on the shared one include every other client's.
    const own = await startRedisServer(await freePort());
    const client = new Redis(`redis://127.0.0.1:${own.port}`);
    try {
      const store = new RedisStore(client);
      const specs = [logLimit(uniqueKey('a'), 5, 60_000, 'a'), logLimit(uniqueKey('b'), 5, 60_000, 'b'), logLimit(uniqueKey('c'), 5, 60_000, 'c')];
      await store.check(specs, 'one-call');
      const before = await commandCalls(client);
      for (let i = 0; i < 10; i++) await store.check(specs, 'one-call');
      const after = await commandCalls(client);
      expect((after.get('evalsha') ?? 0) - (before.get('evalsha') ?? 0)).toBe(10);
      // and no EVAL fallback: the script stayed loaded
      expect((after.get('eval') ?? 0) - (before.get('eval') ?? 0)).toBe(0);
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

describe('Redis store: exact at window edges', () => {
  it('two hits in the same instant, after an older hit left the window, are both counted', async () => {
    // The older hit leaving is simulated by removing it between the two checks inside one MULTI, so
    // both checks run within microseconds of each other and see the same count. A member built from the
    // time as a Lua number (100 us resolution) and the count was the same for both: the second ZADD only
    // moved the first hit, and one hit was lost.
    const client = connections[0]!;
    const store = stores[0]!;
    for (let round = 0; round < 20; round++) {
      const key = uniqueKey('edge');
      const tag = `edge-${round}`;
      const spec = logLimit(key, 100, 60_000);
      await store.check([spec], tag);
      const args = [1, slotKey(tag, key), 1, 'log', 100, 60_000, 1];
      const script = client as unknown as { multi(): Record<string, (...a: unknown[]) => unknown> & { exec(): Promise<unknown> } };
      const multi = script.multi();
      multi.zigznoteCheckLimits!(...args);
      multi.zremrangebyrank!(slotKey(tag, key), 0, 0);
      multi.zigznoteCheckLimits!(...args);
      await multi.exec();
      expect(await client.zcard(slotKey(tag, key)), `round ${round}`).toBe(2);
    }
  });
});

async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const match of (await client.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

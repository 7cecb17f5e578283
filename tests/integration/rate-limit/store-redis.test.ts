import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore, slotKey } from '@/lib/rate-limit/store-redis';
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
    const monitor = new Redis(process.env.REDIS_URL!);
    const before = await evalshaCalls(monitor);
    const specs = [logLimit(uniqueKey('a'), 5, 60_000, 'a'), logLimit(uniqueKey('b'), 5, 60_000, 'b'), logLimit(uniqueKey('c'), 5, 60_000, 'c')];
    for (let i = 0; i < 10; i++) await stores[0]!.check(specs, 'one-call');
    expect((await evalshaCalls(monitor)) - before).toBe(10);
    await monitor.quit();
  });

  it('keeps its keys under the hash tag and lets them expire with the window', async () => {
    const key = uniqueKey('ttl');
    await stores[0]!.check([logLimit(key, 5, 5_000)], 'ttl-tag');
    const ttl = await connections[0]!.pttl(slotKey('ttl-tag', key));
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });
});

async function evalshaCalls(client: Redis): Promise<number> {
  const stats = await client.info('commandstats');
  const match = /cmdstat_evalsha:calls=(\d+)/.exec(stats);
  return match ? Number(match[1]) : 0;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisConnection } from '@/lib/redis';
import { startRedisWithSentinel } from '../../support/redis-server';
import { appLimiter, limitOf } from '../../support/app-limiter';

let redis: Awaited<ReturnType<typeof startRedisWithSentinel>>;
let client: RedisConnection;

beforeAll(async () => {
  redis = await startRedisWithSentinel('zigznote-primary');
  client = createRedisClient({
    kind: 'sentinel',
    sentinels: [{ host: '127.0.0.1', port: redis.sentinel.port }],
    name: 'zigznote-primary',
    password: undefined,
  });
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

describe('Redis through Sentinel', () => {
  it('finds the primary through the sentinel and limits exactly', async () => {
    const limiter = appLimiter(client, { timeoutMs: 2_000 });
    const decisions = await Promise.all(
      Array.from({ length: 40 }, () => limiter.limit({ group: 'register', ip: '198.51.100.40' })),
    );
    expect(decisions.every((d) => d.source === 'store')).toBe(true);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limitOf('register'));
  });
});

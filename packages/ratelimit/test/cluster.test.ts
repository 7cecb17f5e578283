// The Upstash drop-in on a 3-master Redis Cluster (throwaway redis-server processes on loopback): every
// algorithm, the deny list, dynamic limits and resets, with no CROSSSLOT error and exact limits.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster } from '../../../tests/support/redis-server.js';
import { createRateLimiter, Ratelimit, type PolicyTable } from '../src/index.js';
import { freshPrefix } from './redis.js';

let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
let redis: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  redis = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await cluster?.stop();
});

describe('on a Redis Cluster', () => {
  for (const [name, limiter] of [
    ['slidingWindow', Ratelimit.slidingWindow(5, '10 s')],
    ['fixedWindow', Ratelimit.fixedWindow(5, '10 s')],
    ['tokenBucket', Ratelimit.tokenBucket(1, '10 s', 5)],
  ] as const) {
    it(`${name}: exactly 5 of 60 concurrent requests pass for each of three identifiers, and a reset gives them back`, async () => {
      const ratelimit = new Ratelimit({ redis, limiter, prefix: freshPrefix(), ephemeralCache: false });
      for (const id of ['alpha', 'beta', 'gamma']) {
        const answers = await Promise.all(Array.from({ length: 60 }, () => ratelimit.limit(id)));
        expect(
          answers.filter((a) => a.success),
          id,
        ).toHaveLength(5);
      }
      await ratelimit.resetUsedTokens('beta');
      expect(await ratelimit.getRemaining('beta')).toMatchObject({ remaining: 5 });
    });
  }

  it('dynamic limits and the deny list live in keys of their own slots', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(2, '10 s'),
      prefix: freshPrefix(),
      dynamicLimits: true,
      enableProtection: true,
    });
    await ratelimit.setDynamicLimit({ limit: 3 });
    await ratelimit.denyList.add('203.0.113.66');
    const answers = await Promise.all(Array.from({ length: 5 }, () => ratelimit.limit('user', { ip: '198.51.100.1' })));
    expect(answers.filter((a) => a.success)).toHaveLength(3);
    expect(await ratelimit.limit('user2', { ip: '203.0.113.66' })).toMatchObject({
      success: false,
      reason: 'denyList',
    });
  });

  it("createRateLimiter: a group's limits share one slot, so its one transaction runs", async () => {
    const policies: PolicyTable<'signin'> = {
      signin: {
        group: 'signin',
        onStoreFailure: 'closed',
        rules: [
          { name: 'signin', limit: 3, windowMs: 60_000, algorithm: 'sliding-log', identity: 'ip+email' },
          { name: 'signin-ip', limit: 4, windowMs: 60_000, algorithm: 'sliding-counter', identity: 'ip' },
        ],
      },
    };
    const limiter = createRateLimiter({ redis, policies, prefix: `${freshPrefix()}:`, log: () => {} });
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push((await limiter.limit({ group: 'signin', ip: '198.51.100.9', email: `u${i}@example.test` })).status);
    expect(answers).toEqual([200, 200, 200, 200, 429, 429]);
  });
});

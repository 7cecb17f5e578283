import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { createSession, validateSession } from '@/lib/auth';
import { loadConfig } from '@/lib/config';
import { createRedisClient, RedisKeyValue, type RedisConfig, type RedisConnection } from '@/lib/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster } from '../../support/redis-server';
import { appLimiter, limitOf } from '../../support/app-limiter';

let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
});

afterAll(async () => {
  await client?.quit();
  await cluster?.stop();
});

describe('rate limiting on a 3-master Redis Cluster', () => {
  it('checks multi-limit groups with no CROSSSLOT error and exact limits', async () => {
    const limiter = appLimiter(client, { timeoutMs: 2_000 });
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () =>
        limiter.limit({ group: 'login', ip: '198.51.100.1', email: 'user@example.com' }),
      ),
    );
    expect(decisions.every((d) => d.source !== 'unavailable')).toBe(true);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limitOf('login'));
    expect(
      (await limiter.limit({ group: 'password-reset', ip: '198.51.100.1', email: 'user@example.com' })).status,
    ).toBe(200);
  });

  it('spreads single-limit groups over the masters by identity', async () => {
    const limiter = appLimiter(client, { timeoutMs: 2_000 });
    for (let i = 0; i < 60; i++) {
      expect((await limiter.limit({ group: 'api', ip: `203.0.113.${i}` })).status).toBe(200);
    }
    const keysPerNode = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
    expect(keysPerNode.filter((count) => count > 0).length).toBeGreaterThan(1);
  });
});

describe('a password-protected Cluster configured as the app configures it', () => {
  let secured: Awaited<ReturnType<typeof startRedisCluster>>;
  let app: RedisConnection;

  beforeAll(async () => {
    secured = await startRedisCluster(3, 'cluster-test-password');
    const config = loadConfig({
      REDIS_CLUSTER_NODES: secured.nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
      REDIS_PASSWORD: 'cluster-test-password',
    });
    expect(config.redis).toMatchObject({ kind: 'cluster', password: 'cluster-test-password' });
    app = createRedisClient(config.redis as RedisConfig);
  }, 60_000);

  afterAll(async () => {
    app?.disconnect();
    await secured?.stop();
  });

  it('limits exactly at the production timeout, and keeps sessions', async () => {
    // the limiter's default timeout (250 ms) is the production one: no decision may fall back
    const limiter = appLimiter(app);
    await limiter.limit({ group: 'api', ip: '203.0.113.250' });
    const decisions = await Promise.all(
      Array.from({ length: 40 }, () =>
        limiter.limit({ group: 'login', ip: '198.51.100.2', email: 'secured@example.com' }),
      ),
    );
    expect(decisions.map((d) => d.source).filter((source) => source !== 'store' && source !== 'block-cache')).toEqual(
      [],
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limitOf('login'));
    const kv = new RedisKeyValue(app);
    const userId = randomUUID();
    const created = await createSession(kv, userId);
    expect(await validateSession(kv, created!.token)).toMatchObject({ userId });
  });
});

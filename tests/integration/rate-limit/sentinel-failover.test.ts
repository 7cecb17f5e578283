import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, validateSession } from '@/lib/auth';
import { loadConfig } from '@/lib/config';
import { createRedisClient, RedisKeyValue, type RedisConfig, type RedisConnection } from '@/lib/redis';
import { startSentinelGroup } from '../../support/redis-server';
import { appLimiter } from '../../support/app-limiter';

// A primary, a replica and a Sentinel, all with a password; the clients are made from the app's own
// configuration (REDIS_SENTINELS, REDIS_SENTINEL_NAME, REDIS_PASSWORD). The Sentinel promotes the replica
// while limits and sessions are in use.
const name = 'zz-failover';
const password = 'failover-test-password';
let group: Awaited<ReturnType<typeof startSentinelGroup>>;
let client: RedisConnection;

beforeAll(async () => {
  group = await startSentinelGroup(name, password);
  const config = loadConfig({
    REDIS_SENTINELS: `127.0.0.1:${group.sentinel.port}`,
    REDIS_SENTINEL_NAME: name,
    REDIS_PASSWORD: password,
  });
  expect(config.redis).toMatchObject({ kind: 'sentinel', name, password });
  client = createRedisClient(config.redis as RedisConfig);
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await group?.stop();
});

describe('Sentinel failover during traffic', () => {
  it('limits and sessions keep working on the promoted replica, with the state written before', async () => {
    const limiter = appLimiter(client);
    const kv = new RedisKeyValue(client);
    const before = group.primaryPort();
    expect(before).toBe(group.primary.port);

    const userId = randomUUID();
    const session = await createSession(kv, userId);
    expect(session).not.toBeNull();
    const register = { group: 'register' as const, ip: '198.51.100.77' };
    expect((await limiter.limit(register)).status).toBe(200);
    expect((await limiter.limit(register)).status).toBe(200);
    // the replica has what the primary wrote
    await expect
      .poll(() => client.call('WAIT', '1', '400'), { timeout: 15_000, message: 'the replica acknowledged the writes' })
      .toBe(1);

    // traffic throughout the failover: one check and one session read at a time
    let running = true;
    const outcomes: string[] = [];
    const traffic = (async () => {
      while (running) {
        const decision = await limiter.limit({ group: 'api', ip: `203.0.113.${outcomes.length % 200}` });
        const valid = await validateSession(kv, session!.token).then(
          (found) => (found ? 'session' : 'no-session'),
          () => 'session-error',
        );
        outcomes.push(`${decision.source}/${valid}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    expect(group.failover().stdout).toContain('OK');
    await expect
      .poll(() => group.primaryPort(), { timeout: 20_000, message: 'the Sentinel promoted the replica' })
      .toBe(group.replica.port);
    // the app's client follows the Sentinel to the new primary by itself (no restart, no new client)…
    const servedBy = async () =>
      Number(((await client.call('CONFIG', 'GET', 'port').catch(() => ['port', '0'])) as string[])[1]);
    await expect
      .poll(servedBy, { timeout: 20_000, interval: 100, message: 'the client moved to the new primary' })
      .toBe(group.replica.port);
    // …and traffic is answered by the store there, with the session still valid
    const seen = outcomes.length;
    await expect.poll(() => outcomes.length - seen, { timeout: 10_000 }).toBeGreaterThan(5);
    running = false;
    await traffic;
    expect(outcomes.slice(seen + 1)).toEqual(Array(outcomes.length - seen - 1).fill('store/session'));
    expect(outcomes[0]).toBe('store/session');

    // the session made before the failover, and the two sign-ups counted before it, are on the new primary
    expect(await validateSession(kv, session!.token)).toMatchObject({ userId });
    expect((await limiter.limit(register)).status).toBe(200);
    expect((await limiter.limit(register)).status).toBe(429);
    expect(await servedBy()).toBe(group.replica.port);
  }, 90_000);
});

// Sign-up's wide budgets on the real Redis, checked as middleware checks them: the per-address log first,
// then the per-/48 and app-wide counters in the same transaction (each must read its own answers).
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter, DEFAULT_POLICIES, normalizeIp } from '@/lib/rate-limit';
import { RedisStore } from '@zigznote/ratelimit';

const client = new Redis(process.env.REDIS_URL!);
afterAll(async () => {
  await client.quit();
});

function limiterWith(overrides: string) {
  return new RateLimiter({
    policies: DEFAULT_POLICIES,
    store: new RedisStore(client, { prefix: `rl-test:${Date.now()}:${Math.random()}:` }),
    overrides,
    log: () => {},
  });
}

describe('sign-up budgets beyond one address', () => {
  it('register-global stops the 6th sign-up of an app-wide 5, whatever addresses they come from', async () => {
    const limiter = limiterWith('register-global=5/1h');
    const statuses = [];
    for (let i = 1; i <= 7; i++)
      statuses.push((await limiter.limit({ group: 'register', ip: `198.51.100.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('register-48 stops an IPv6 site rotating through its /64s', async () => {
    const limiter = limiterWith('register-48=4/1h');
    const statuses = [];
    for (let i = 1; i <= 6; i++)
      statuses.push((await limiter.limit({ group: 'register', ip: normalizeIp(`2001:db8:77:${i}::1`) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});

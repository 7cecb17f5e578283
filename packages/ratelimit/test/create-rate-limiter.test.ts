// createRateLimiter with a table of the caller's own (not this repository's app), on the real Redis.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, type PolicyTable } from '../src/index.js';
import { connectRedis, freshPrefix } from './redis.js';

const redis = connectRedis();
const MINUTE = 60_000;
type Group = 'signin' | 'search' | 'reset';
const policies: PolicyTable<Group> = {
  signin: {
    group: 'signin',
    onStoreFailure: 'closed',
    rules: [
      { name: 'signin', limit: 3, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'ip+email' },
      { name: 'signin-ip', limit: 5, windowMs: 15 * MINUTE, algorithm: 'sliding-counter', identity: 'ip' },
    ],
  },
  // two sliding logs in one group: each must read its own answers from the one transaction
  reset: {
    group: 'reset',
    onStoreFailure: 'closed',
    rules: [
      { name: 'reset-ip', limit: 4, windowMs: MINUTE, algorithm: 'sliding-log', identity: 'ip' },
      { name: 'reset-email', limit: 2, windowMs: MINUTE, algorithm: 'sliding-log', identity: 'email' },
    ],
  },
  search: {
    group: 'search',
    onStoreFailure: 'open',
    rules: [{ name: 'search', limit: 10, windowMs: MINUTE, algorithm: 'sliding-counter', identity: 'user-or-ip' }],
  },
};
const silent = { log: () => {} };

describe('a limiter over your own groups', () => {
  it('checks every limit of the group at once: a request refused by one is counted by none', async () => {
    const limiter = createRateLimiter({ redis, policies, prefix: `${freshPrefix()}:`, ...silent });
    const ip = '198.51.100.20';
    for (let i = 0; i < 3; i++)
      expect((await limiter.limit({ group: 'signin', ip, email: 'a@example.test' })).success).toBe(true);
    const refused = await limiter.limit({ group: 'signin', ip, email: 'a@example.test' });
    expect(refused).toMatchObject({ success: false, status: 429, remaining: 0 });
    expect(refused.headers['RateLimit-Policy']).toContain('"signin";q=3;w=900');
    // the refused attempt took nothing from the per-address budget: 2 of its 5 are left for another account
    expect((await limiter.limit({ group: 'signin', ip, email: 'b@example.test' })).success).toBe(true);
    expect((await limiter.limit({ group: 'signin', ip, email: 'c@example.test' })).success).toBe(true);
    expect((await limiter.limit({ group: 'signin', ip, email: 'd@example.test' })).success).toBe(false);
  });

  it('counts each limit of a group from its own answers: a per-address counter after a per-account log refuses the 6th', async () => {
    const limiter = createRateLimiter({ redis, policies, prefix: `${freshPrefix()}:`, ...silent });
    const answers = [];
    for (let i = 0; i < 7; i++)
      answers.push(await limiter.limit({ group: 'signin', ip: '198.51.100.21', email: `user${i}@example.test` }));
    expect(answers.map((a) => a.success)).toEqual([true, true, true, true, true, false, false]);
    expect(answers.map((a) => a.outcome.limits.find((l) => l.name === 'signin-ip')!.remaining)).toEqual([
      4, 3, 2, 1, 0, 0, 0,
    ]);
  });

  it('two sliding logs in one group each hold their own limit', async () => {
    const limiter = createRateLimiter({ redis, policies, prefix: `${freshPrefix()}:`, ...silent });
    const ip = '198.51.100.22';
    const byEmail = [];
    for (let i = 0; i < 3; i++)
      byEmail.push((await limiter.limit({ group: 'reset', ip, email: 'same@example.test' })).success);
    expect(byEmail).toEqual([true, true, false]);
    expect((await limiter.limit({ group: 'reset', ip, email: 'other@example.test' })).success).toBe(true);
    expect((await limiter.limit({ group: 'reset', ip, email: 'third@example.test' })).success).toBe(true);
    expect((await limiter.limit({ group: 'reset', ip, email: 'fourth@example.test' })).success).toBe(false);
  });

  it('lets exactly 10 of 100 concurrent searches through for one user', async () => {
    const limiter = createRateLimiter({ redis, policies, prefix: `${freshPrefix()}:`, ...silent });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => limiter.limit({ group: 'search', ip: '203.0.113.1', userId: 'u1' })),
    );
    expect(answers.filter((a) => a.success)).toHaveLength(10);
  });

  it('refuses misuse in words: no table, a group the table does not name, an override of a rule it does not have', async () => {
    expect(() => createRateLimiter({ redis } as never)).toThrow(/pass `policies`, your table of groups/);
    expect(() => createRateLimiter({ policies } as never)).toThrow(
      'createRateLimiter: `redis` must be an ioredis client',
    );
    expect(() => createRateLimiter({ redis, policies, overrides: 'login=5/1m' })).toThrow(
      'overrides: no limit is named "login" (known: signin, signin-ip, reset-ip, reset-email, search)',
    );
    const limiter = createRateLimiter({ redis, policies, ...silent });
    await expect(limiter.limit({ group: 'upload' as Group, ip: '1.2.3.4' })).rejects.toThrow(
      'no group named "upload" in the policy table (known: signin, reset, search)',
    );
  });
});

describe('the Edge entry, @zigznote/ratelimit/limiter', () => {
  it('imports nothing Node-only, so Edge middleware can load it', () => {
    const dir = fileURLToPath(new URL('../src/limiter/', import.meta.url));
    for (const file of readdirSync(dir)) {
      const imports = [...readFileSync(dir + file, 'utf8').matchAll(/from '([^']+)'/g)].map(([, from]) => from!);
      for (const from of imports) expect(from, `${file} imports ${from}`).toMatch(/^(\.\/[a-z-]+\.js|ipaddr\.js)$/);
    }
  });
});

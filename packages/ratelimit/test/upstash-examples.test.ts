// Upstash's documented uses of @upstash/ratelimit (its getting-started and methods pages), written as an
// Upstash user has them, with two lines changed: the import, and `Redis.fromEnv()` → an ioredis client.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Ratelimit } from '../src/index.js';
import { freshPrefix } from './redis.js';

const redis = new Redis(process.env.REDIS_URL!);
afterAll(() => redis.quit());

describe("Upstash's examples run unchanged but for the import and the client", () => {
  it('basic usage: 10 requests per 10 seconds, refused after', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(10, '10 s'),
      analytics: true,
      prefix: freshPrefix(),
    });
    const identifier = 'api';
    const answers: string[] = [];
    for (let i = 0; i < 11; i++) {
      const { success } = await ratelimit.limit(identifier);
      answers.push(success ? 'Here you go!' : 'Unable to process at this time');
    }
    expect(answers.slice(0, 10).every((a) => a === 'Here you go!')).toBe(true);
    expect(answers[10]).toBe('Unable to process at this time');
  });

  it('the three algorithms as the docs construct them', async () => {
    const fixed = new Ratelimit({ redis, limiter: Ratelimit.fixedWindow(10, '10 s'), prefix: freshPrefix() });
    const sliding = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(10, '10 s'), prefix: freshPrefix() });
    const bucket = new Ratelimit({ redis, limiter: Ratelimit.tokenBucket(5, '10 s', 10), prefix: freshPrefix() });
    for (const ratelimit of [fixed, sliding, bucket]) {
      const results = await Promise.all(Array.from({ length: 12 }, () => ratelimit.limit('id')));
      expect(results.filter((r) => r.success)).toHaveLength(10);
      const { success, limit, remaining, reset, pending } = results[0]!;
      expect({ success, limit, remaining }).toEqual({ success: true, limit: 10, remaining: expect.any(Number) });
      expect(reset).toBeGreaterThan(Date.now());
      await pending;
    }
  });

  it('limit with a rate: a request that costs 10 tokens', async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(100, '10 s'), prefix: freshPrefix() });
    const { success, remaining } = await ratelimit.limit('id', { rate: 10 });
    expect({ success, remaining }).toEqual({ success: true, remaining: 90 });
  });

  it('blockUntilReady: wait up to 30 seconds for room', async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(10, '1 s'), prefix: freshPrefix() });
    for (let i = 0; i < 10; i++) await ratelimit.limit('id');
    const { success } = await ratelimit.blockUntilReady('id', 30_000);
    expect(success).toBe(true);
  });

  it('resetUsedTokens and getRemaining', async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(10, '10 s'), prefix: freshPrefix() });
    await ratelimit.limit('identifier', { rate: 4 });
    const { remaining, reset } = await ratelimit.getRemaining('identifier');
    expect(remaining).toBe(6);
    expect(reset).toBeGreaterThan(Date.now());
    await ratelimit.resetUsedTokens('identifier');
    expect((await ratelimit.getRemaining('identifier')).remaining).toBe(10);
  });

  it('dynamic limits and protection, as their pages set them up', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(10, '10 s'),
      dynamicLimits: true,
      enableProtection: true,
      prefix: freshPrefix(),
    });
    await ratelimit.setDynamicLimit({ limit: 120 });
    expect(await ratelimit.getDynamicLimit()).toEqual({ dynamicLimit: 120 });
    expect((await ratelimit.limit('id', { ip: '198.51.100.7', userAgent: 'curl/8', country: 'DE' })).limit).toBe(120);
    await ratelimit.setDynamicLimit({ limit: false });
    expect(await ratelimit.getDynamicLimit()).toEqual({ dynamicLimit: null });
  });
});

import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Ratelimit } from '../src/index.js';
import { connectRedis, freshPrefix, sleep, startOfWindow } from './redis.js';

const redis = connectRedis();

describe('misuse is refused at construction, in words', () => {
  it('no Redis client, or a client that is not ioredis', () => {
    expect(() => new Ratelimit({ limiter: Ratelimit.slidingWindow(10, '10 s') } as never)).toThrow(
      /`redis` must be an ioredis client.*none was given/,
    );
    const upstashLike = { get: async () => null, evalsha: async () => null };
    expect(() => new Ratelimit({ redis: upstashLike as never, limiter: Ratelimit.slidingWindow(10, '10 s') })).toThrow(
      /not one \(an @upstash\/redis REST client is not/,
    );
  });

  it('a window that is not a duration, a limit of 0, no limiter, a negative timeout', () => {
    expect(() => Ratelimit.slidingWindow(10, '10 parsecs' as never)).toThrow(
      'Ratelimit.slidingWindow: window "10 parsecs" is not a duration: write a whole number and a unit, like "10 s"',
    );
    expect(() => Ratelimit.fixedWindow(0, '1 m')).toThrow(
      'Ratelimit.fixedWindow: tokens must be a whole number of at least 1, got 0',
    );
    expect(() => Ratelimit.tokenBucket(1, '1 s', 2.5)).toThrow(/maxTokens must be a whole number/);
    expect(() => new Ratelimit({ redis } as never)).toThrow(/`limiter` is missing: pass Ratelimit.slidingWindow/);
    expect(() => new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(1, '1 s'), timeout: -1 })).toThrow(
      /`timeout` is milliseconds/,
    );
  });

  it('an empty identifier or a fractional rate', async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(1, '1 s'), prefix: freshPrefix() });
    await expect(ratelimit.limit('')).rejects.toThrow(/identifier must be a non-empty string/);
    await expect(ratelimit.limit('a', { rate: 1.5 })).rejects.toThrow(/`rate` must be a whole number/);
  });
});

describe('slidingWindow is exact', () => {
  it('lets exactly 5 of 200 concurrent requests through, over four connections', async () => {
    const prefix = freshPrefix();
    const limiters = [redis, connectRedis(), connectRedis(), connectRedis()].map(
      (client) =>
        new Ratelimit({ redis: client, limiter: Ratelimit.slidingWindow(5, '10 s'), prefix, ephemeralCache: false }),
    );
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => limiters[i % 4]!.limit('burst')));
    expect(answers.filter((a) => a.success)).toHaveLength(5);
    // refused requests kept nothing: the log holds the 5 that passed
    expect(await redis.zcard(`${prefix}:burst`)).toBe(5);
    expect(await limiters[0]!.getRemaining('burst')).toMatchObject({ remaining: 0, limit: 5 });
  });

  it('counts remaining down, and resets when the oldest hit leaves the window', async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(3, '2 s'), prefix: freshPrefix() });
    const first = await ratelimit.limit('user');
    expect(first).toMatchObject({ success: true, limit: 3, remaining: 2 });
    expect(first.reset - Date.now()).toBeGreaterThan(1_500);
    expect(first.reset - Date.now()).toBeLessThanOrEqual(2_100);
    await sleep(300);
    expect(await ratelimit.limit('user')).toMatchObject({ success: true, remaining: 1 });
    expect(await ratelimit.limit('user')).toMatchObject({ success: true, remaining: 0 });
    const refused = await ratelimit.limit('user');
    expect(refused).toMatchObject({ success: false, remaining: 0 });
    // room comes back when the first hit leaves, not at the end of a fixed window
    expect(Math.abs(refused.reset - first.reset)).toBeLessThan(50);
    await expect(refused.pending).resolves.toBeUndefined();
  });

  it('lets no burst straddling two windows through (an approximation over two fixed windows would)', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(10, '1 s'),
      prefix: freshPrefix(),
      ephemeralCache: false,
    });
    await startOfWindow(1_000);
    await sleep(700);
    const late = await Promise.all(Array.from({ length: 10 }, () => ratelimit.limit('edge')));
    expect(late.every((a) => a.success)).toBe(true);
    await sleep(400); // the next fixed window has begun; the 10 hits are 400 ms old
    const early = await Promise.all(Array.from({ length: 10 }, () => ratelimit.limit('edge')));
    expect(early.filter((a) => a.success)).toHaveLength(0);
    await sleep(650);
    expect(
      (await Promise.all(Array.from({ length: 12 }, () => ratelimit.limit('edge')))).filter((a) => a.success),
    ).toHaveLength(10);
  });

  it('a rate takes that many tokens, all or none; a negative rate gives them back', async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(10, '10 s'), prefix: freshPrefix() });
    expect(await ratelimit.limit('bulk', { rate: 7 })).toMatchObject({ success: true, remaining: 3 });
    expect(await ratelimit.limit('bulk', { rate: 4 })).toMatchObject({ success: false, remaining: 3 });
    expect(await ratelimit.limit('bulk', { rate: 3 })).toMatchObject({ success: true, remaining: 0 });
    expect(await ratelimit.limit('bulk', { rate: -5 })).toMatchObject({ success: true, remaining: 5 });
    expect(await ratelimit.getRemaining('bulk')).toMatchObject({ remaining: 5 });
    expect(await ratelimit.limit('bulk')).toMatchObject({ success: true, remaining: 4 });
  });
});

describe('fixedWindow and tokenBucket, with Upstash meanings', () => {
  it('fixedWindow: the limit per window, reset at the end of the window', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.fixedWindow(5, '10 s'),
      prefix: freshPrefix(),
      ephemeralCache: false,
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => ratelimit.limit('f')));
    expect(answers.filter((a) => a.success)).toHaveLength(5);
    const reset = answers[0]!.reset;
    expect(reset % 10_000).toBe(0);
    expect(reset).toBeGreaterThan(Date.now());
    expect(await ratelimit.getRemaining('f')).toEqual({ remaining: 0, reset, limit: 5 });
  });

  it('tokenBucket: a full bucket to start, one token back per refill, a request larger than what is left takes nothing', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.tokenBucket(1, '300 ms', 4),
      prefix: freshPrefix(),
      ephemeralCache: false,
    });
    const burst = await Promise.all(Array.from({ length: 6 }, () => ratelimit.limit('t')));
    expect(burst.filter((a) => a.success)).toHaveLength(4);
    const refused = burst.find((a) => !a.success)!;
    expect(refused.reset - Date.now()).toBeLessThanOrEqual(300);
    await sleep(refused.reset - Date.now() + 20);
    expect(await ratelimit.limit('t')).toMatchObject({ success: true, remaining: 0 });
    await sleep(320);
    expect(await ratelimit.limit('t', { rate: 3 })).toMatchObject({ success: false, remaining: 1 });
    expect(await ratelimit.getRemaining('t')).toMatchObject({ remaining: 1, limit: 4 });
  });
});

describe('getRemaining, resetUsedTokens, blockUntilReady', () => {
  for (const [name, limiter] of [
    ['slidingWindow', Ratelimit.slidingWindow(2, '5 s')],
    ['fixedWindow', Ratelimit.fixedWindow(2, '5 s')],
    ['tokenBucket', Ratelimit.tokenBucket(1, '5 s', 2)],
  ] as const) {
    it(`${name}: resetUsedTokens gives the identifier its whole limit back, here and in the block cache`, async () => {
      const ratelimit = new Ratelimit({ redis, limiter, prefix: freshPrefix() });
      await ratelimit.limit('r');
      await ratelimit.limit('r');
      expect(await ratelimit.limit('r')).toMatchObject({ success: false });
      expect(await ratelimit.limit('r')).toMatchObject({ success: false, reason: 'cacheBlock' });
      expect(await ratelimit.getRemaining('r')).toMatchObject({ remaining: 0, limit: 2 });
      await ratelimit.resetUsedTokens('r');
      expect(await ratelimit.getRemaining('r')).toMatchObject({ remaining: 2, limit: 2 });
      expect(await ratelimit.limit('r')).toMatchObject({ success: true, remaining: 1 });
    });
  }

  it('blockUntilReady waits for the reset and then passes; with too short a wait it answers the refusal', async () => {
    const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(1, '600 ms'), prefix: freshPrefix() });
    await ratelimit.limit('b');
    const began = Date.now();
    const ready = await ratelimit.blockUntilReady('b', 2_000);
    expect(ready.success).toBe(true);
    expect(Date.now() - began).toBeGreaterThanOrEqual(500);
    expect((await ratelimit.blockUntilReady('b', 100)).success).toBe(false);
    await expect(ratelimit.blockUntilReady('b', 0)).rejects.toThrow(/timeout must be positive/);
  });
});

describe('dynamic limits and the deny list, shared by every instance', () => {
  it('a limit set on one instance is in force on another at its next check, until it is unset', async () => {
    const prefix = freshPrefix();
    const one = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(2, '10 s'),
      prefix,
      dynamicLimits: true,
      ephemeralCache: false,
    });
    const other = new Ratelimit({
      redis: connectRedis(),
      limiter: Ratelimit.slidingWindow(2, '10 s'),
      prefix,
      dynamicLimits: true,
      ephemeralCache: false,
    });
    expect(await one.getDynamicLimit()).toEqual({ dynamicLimit: null });
    await one.setDynamicLimit({ limit: 4 });
    expect(await other.getDynamicLimit()).toEqual({ dynamicLimit: 4 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => other.limit('d')));
    expect(answers.filter((a) => a.success)).toHaveLength(4);
    expect(answers[0]!.limit).toBe(4);
    await one.setDynamicLimit({ limit: false });
    expect(await other.limit('d')).toMatchObject({ success: false, limit: 2 });
    await expect(one.setDynamicLimit({ limit: 0 })).rejects.toThrow(/at least 1, or false/);
    const without = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(2, '10 s'), prefix });
    await expect(without.setDynamicLimit({ limit: 3 })).rejects.toThrow(
      'dynamicLimits must be enabled in the Ratelimit constructor',
    );
  });

  it('refuses a denied identifier, IP, user agent or country with the value, and lets it through once removed', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(100, '10 s'),
      prefix: freshPrefix(),
      enableProtection: true,
    });
    await ratelimit.denyList.add('bad-user', '203.0.113.9', 'EvilBot/1.0', 'XX');
    expect(await ratelimit.limit('bad-user')).toMatchObject({
      success: false,
      reason: 'denyList',
      deniedValue: 'bad-user',
    });
    expect(await ratelimit.limit('u1', { ip: '203.0.113.9' })).toMatchObject({
      success: false,
      reason: 'denyList',
      deniedValue: '203.0.113.9',
    });
    expect(await ratelimit.limit('u2', { userAgent: 'EvilBot/1.0' })).toMatchObject({
      reason: 'denyList',
      deniedValue: 'EvilBot/1.0',
    });
    expect(await ratelimit.limit('u3', { country: 'XX' })).toMatchObject({ reason: 'denyList', deniedValue: 'XX' });
    expect(await ratelimit.limit('u4', { ip: '198.51.100.1', userAgent: 'Firefox', country: 'DE' })).toMatchObject({
      success: true,
    });
    expect(await ratelimit.denyList.members()).toEqual(['203.0.113.9', 'EvilBot/1.0', 'XX', 'bad-user']);
    await ratelimit.denyList.remove('203.0.113.9');
    expect(await ratelimit.limit('u1', { ip: '203.0.113.9' })).toMatchObject({ success: true });
  });
});

describe('Redis slow or gone', () => {
  let silent: Server;
  afterAll(() => silent?.close());

  it('allows the request with reason "timeout" when Redis does not answer in time (Upstash behaviour)', async () => {
    silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((resolve) => silent.once('listening', resolve));
    const port = (silent.address() as { port: number }).port;
    const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    const ratelimit = new Ratelimit({ redis: client, limiter: Ratelimit.slidingWindow(1, '1 s'), timeout: 200 });
    const began = Date.now();
    expect(await ratelimit.limit('x')).toMatchObject({
      success: true,
      limit: 0,
      remaining: 0,
      reset: 0,
      reason: 'timeout',
    });
    expect(Date.now() - began).toBeLessThan(1_000);
    client.disconnect();
  });

  it('answers from its block cache while an identifier is over its limit, without asking Redis', async () => {
    const client = connectRedis();
    const ratelimit = new Ratelimit({
      redis: client,
      limiter: Ratelimit.slidingWindow(1, '10 s'),
      prefix: freshPrefix(),
    });
    await ratelimit.limit('flood');
    expect((await ratelimit.limit('flood')).reason).toBeUndefined();
    client.disconnect();
    const cached = await ratelimit.limit('flood');
    expect(cached).toMatchObject({ success: false, reason: 'cacheBlock', remaining: 0 });
    expect(cached.reset).toBeGreaterThan(Date.now());
  });
});

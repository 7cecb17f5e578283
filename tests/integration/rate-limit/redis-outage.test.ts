import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, DEFAULT_POLICIES } from '@/lib/rate-limit';
import { RedisStore } from '@zigznote/ratelimit';
import { createRedisClient } from '@/lib/redis';
import { freePort, startRedisServer, type RedisProcess } from '../../support/redis-server';

let port: number;
let server: RedisProcess;
let client: Redis;
const logged: string[] = [];
let limiter: RateLimiter;

beforeAll(async () => {
  port = await freePort();
  server = await startRedisServer(port);
  client = createRedisClient({ kind: 'redis', url: `redis://127.0.0.1:${port}` }) as Redis;
  limiter = new RateLimiter({
    policies: DEFAULT_POLICIES,
    store: new RedisStore(client),
    timeoutMs: 250,
    overrides: 'api=3/1m',
    log: (m) => logged.push(m),
  });
});

afterAll(async () => {
  client.disconnect();
  await server.stop();
});

describe('Redis stopped in the middle of traffic', () => {
  it('limits normally while Redis is up', async () => {
    const first = await limiter.limit({ group: 'login', ip: '198.51.100.7', email: 'a@example.com' });
    expect(first).toMatchObject({ status: 200, source: 'store' });
  });

  it('answers fail-closed groups 503 within the timeout and keeps fail-open groups serving', async () => {
    await server.stop();
    const started = performance.now();
    const results = await Promise.all([
      limiter.limit({ group: 'login', ip: '198.51.100.7', email: 'a@example.com' }),
      limiter.limit({ group: 'register', ip: '198.51.100.7' }),
      limiter.limit({ group: 'api', ip: '198.51.100.7' }),
    ]);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(results.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(results[0]!.headers['Retry-After']).toBe('5');
    expect(results[2]!.source).toBe('fallback');
    // the fallback applies the same limit
    await limiter.limit({ group: 'api', ip: '198.51.100.7' });
    await limiter.limit({ group: 'api', ip: '198.51.100.7' });
    expect((await limiter.limit({ group: 'api', ip: '198.51.100.7' })).status).toBe(429);
    expect(limiter.health().degraded).toBe(true);
    expect(logged.filter((m) => m.includes('unreachable'))).toHaveLength(1);
  });

  it('never lets a request hang, however many arrive during the outage', async () => {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        limiter.limit({ group: 'login', ip: `198.51.100.${i}`, email: 'x@example.com' }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('resumes limiting on Redis once it is back, by itself', async () => {
    server = await startRedisServer(port);
    const deadline = Date.now() + 10_000;
    let decision = await limiter.limit({ group: 'register', ip: '198.51.100.8' });
    while (decision.source !== 'store' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      decision = await limiter.limit({ group: 'register', ip: '198.51.100.8' });
    }
    expect(decision).toMatchObject({ status: 200, source: 'store' });
    expect(limiter.health().degraded).toBe(false);
    expect(logged.some((m) => m.includes('reachable again'))).toBe(true);
  });
});

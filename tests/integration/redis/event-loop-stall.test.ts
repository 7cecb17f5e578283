// The app's Redis client times out commands that Redis leaves unanswered, not commands answered while this
// process's own event loop was busy: timers run before sockets are read, so a plain timer blames Redis for
// a stall of ours, and under load (a long render, a flood) limits then fail closed with 503s and sessions
// read as missing although Redis answered in a millisecond.
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter, DEFAULT_POLICIES } from '@/lib/rate-limit';
import { RedisStore } from '@zigznote/ratelimit';
import { createRedisClient } from '@/lib/redis';
import { freePort, startRedisServer, type RedisProcess } from '../../support/redis-server';

let server: RedisProcess;
let client: Redis;
let admin: Redis;

/** Keeps this thread busy, as a long synchronous render or a burst of work would. */
function stallEventLoop(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

/** Stalls the event loop right after `redis` has sent its next command, so that command is in flight. */
function stallAfterNextCommand(redis: Redis, ms: number) {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    redis.sendCommand = send;
    const sent = send(...args);
    queueMicrotask(() => stallEventLoop(ms));
    return sent;
  };
}

beforeAll(async () => {
  server = await startRedisServer(await freePort());
  const url = `redis://127.0.0.1:${server.port}`;
  client = createRedisClient({ kind: 'redis', url }) as Redis;
  admin = createRedisClient({ kind: 'redis', url }) as Redis;
  await Promise.all([client.ping(), admin.ping()]);
});

afterAll(async () => {
  client.disconnect();
  admin.disconnect();
  await server.stop();
});

describe('a stalled event loop is not a slow Redis', () => {
  it('a command Redis answered during an 800 ms stall of this process resolves (the timeout is 500 ms)', async () => {
    await client.set('stall:key', 'value');
    const read = client.get('stall:key');
    stallEventLoop(800);
    await expect(read).resolves.toBe('value');
  });

  it('many commands in flight across a stall all resolve', async () => {
    stallAfterNextCommand(client, 800);
    const reads = Array.from({ length: 50 }, (_, i) => client.incr(`stall:counter:${i % 5}`));
    const values = await Promise.all(reads);
    expect(values).toHaveLength(50);
    expect(values.every((value) => Number.isInteger(value) && value > 0)).toBe(true);
  });

  it('a limiter check answered during a stall counts, instead of failing closed with 503', async () => {
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: new RedisStore(client),
      timeoutMs: 250,
      log: () => {},
    });
    // The check's script is sent to Redis, then this process is busy for 800 ms.
    stallAfterNextCommand(client, 800);
    const started = performance.now();
    const decision = await limiter.limit({ group: 'uploads', ip: '198.51.100.20', userId: 'stall-user' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(800);
    expect(decision).toMatchObject({ status: 200, source: 'store' });
    expect(limiter.health().degraded).toBe(false);
  });

  it('a command Redis really leaves unanswered still fails within about the timeout', async () => {
    // Redis holds every client's commands for 1.5 s (CLIENT PAUSE, sent from another connection).
    await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
    const started = performance.now();
    await expect(client.get('stall:key')).rejects.toThrow('Command timed out');
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(450);
    expect(waited).toBeLessThan(1_200);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await client.get('stall:key')).toBe('value');
  });
});

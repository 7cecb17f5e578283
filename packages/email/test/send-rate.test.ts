import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSendRate } from '../src/index.js';

const connections = [new Redis(process.env.REDIS_URL!), new Redis(process.env.REDIS_URL!)];

afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
});

// A key of this run's own, so a test run never shares the budget with an app using the default key.
const key = `test-email-send-rate:${process.pid}:${Date.now()}`;

describe('the send-rate budget in Redis', () => {
  it('is shared by every instance: 5 per second means 5 sends at once, then a wait of about 200 ms', async () => {
    await connections[0]!.del(key);
    const [a, b] = connections.map((c) => new RedisSendRate(c, { key }));
    const waits = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? a! : b!).takeToken(5)));
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    for (const wait of waits.filter((w) => w > 0)) {
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(200);
    }
  });

  it('refills with time', async () => {
    await connections[0]!.del(key);
    const state = new RedisSendRate(connections[0]!, { key });
    for (let i = 0; i < 5; i++) await state.takeToken(5);
    const wait = await state.takeToken(5);
    expect(wait).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, wait + 20));
    expect(await state.takeToken(5)).toBe(0);
  });
});

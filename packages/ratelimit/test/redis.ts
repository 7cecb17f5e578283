// The real Redis the test command started (REDIS_URL), one fresh prefix per test so tests never share keys.
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';

const url = process.env.REDIS_URL;
if (!url) throw new Error('the package tests need a real Redis: set REDIS_URL (npm test does)');

const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
});

export function connectRedis(): Redis {
  const client = new Redis(url!, { lazyConnect: false });
  clients.push(client);
  return client;
}

let counter = 0;
export function freshPrefix(): string {
  return `test-ratelimit:${process.pid}:${Date.now().toString(36)}:${counter++}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the start of a fixed window of `windowMs`, so a test's burst does not straddle two. */
export async function startOfWindow(windowMs: number): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs / 4) await sleep(windowMs - into + 5);
}

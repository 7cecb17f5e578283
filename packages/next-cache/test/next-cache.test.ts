// @zigznote/next-cache on the real Redis (REDIS_URL), as an app that is not ours wires it: two handler
// sets with their own subscribers stand for two instances of one app.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheEntry } from 'next/dist/server/lib/cache-handlers/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createCacheHandlers, installCacheHandlers, type CacheHandlers } from '../src/index.js';

const url = process.env.REDIS_URL;
if (!url) throw new Error('the package tests need a real Redis: set REDIS_URL (npm test does)');
const connections: Redis[] = [];
const connect = () => {
  const client = new Redis(url);
  connections.push(client);
  return client;
};
afterAll(() => connections.forEach((client) => client.disconnect()));

const prefix = `test-next-cache:${randomUUID()}:`;
async function instance(): Promise<CacheHandlers> {
  const handlers = createCacheHandlers({ redis: connect(), subscriber: connect(), prefix, maxTtlSeconds: 60 });
  await expect.poll(() => handlers.manifest.listening).toBe(true);
  return handlers;
}

const entry = (body: string, tags: string[]): CacheEntry => ({
  value: new Blob([body]).stream(),
  tags,
  stale: 30,
  timestamp: Date.now(),
  revalidate: 60,
  expire: 300,
});
const textOf = async (found: CacheEntry | undefined) => (found ? new Response(found.value).text() : undefined);

describe('misuse is refused when the handlers are made', () => {
  it('no client, the same connection as subscriber, a cap of 0', () => {
    expect(() => createCacheHandlers({} as never)).toThrow('createCacheHandlers: `redis` must be an ioredis client');
    const redis = connect();
    expect(() => createCacheHandlers({ redis, subscriber: redis })).toThrow(
      /a connection of its own \(redis.duplicate\(\)\)/,
    );
    expect(() => createCacheHandlers({ redis, maxTtlSeconds: 0 })).toThrow('`maxTtlSeconds` must be positive, got 0');
  });
});

describe("'use cache' across instances", () => {
  it('an entry written by one instance is read by another; a tag expired on one is gone on both', async () => {
    const [a, b] = [await instance(), await instance()];
    const tag = `t-${randomUUID()}`;
    await a.useCache.set('k', Promise.resolve(entry('<p>v1</p>', [tag])));
    expect(await textOf(await b.useCache.get('k', []))).toBe('<p>v1</p>');
    await new Promise((resolve) => setTimeout(resolve, 2));
    await a.expireTags([tag]);
    expect(await a.useCache.get('k', [])).toBeUndefined();
    await expect
      .poll(async () => textOf(await b.useCache.get('k', [])), { timeout: 2_000, interval: 5 })
      .toBeUndefined();
  });

  it('keys carry the prefix and a time to live no longer than the cap', async () => {
    const handlers = await instance();
    await handlers.useCache.set('ttl', Promise.resolve({ ...entry('x', []), expire: 10_000 }));
    const redis = connect();
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.filter((key) => key.includes('use-cache')).map((key) => redis.pttl(key)));
    expect(ttls.length).toBeGreaterThan(0);
    for (const ttl of ttls) expect(ttl > 0 && ttl <= 60_000, `ttl ${ttl} ms`).toBe(true);
  });
});

describe('the entry files next.config names', () => {
  it('miss before installation, and forward to the installed handlers after', async () => {
    const { default: useCacheEntry } = await import('../handlers/use-cache.js');
    const key = `entry-${randomUUID()}`;
    expect(await useCacheEntry.get(key, [])).toBeUndefined();
    const handlers = await instance();
    installCacheHandlers(handlers);
    await useCacheEntry.set(key, Promise.resolve(entry('through the entry file', [])));
    expect(await textOf(await handlers.useCache.get(key, []))).toBe('through the entry file');
  });
});

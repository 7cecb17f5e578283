import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheEntry } from 'next/dist/server/lib/cache-handlers/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUseCacheHandler,
  EntryStore,
  RedisIncrementalCache,
  SharedValueCache,
  TagManifest,
  type CacheCounters,
} from '@zigznote/next-cache';
import { CACHE_KEY_PREFIX, cacheTagVersion, expireCacheTags, installAppCacheHandlers } from '@/lib/cache';
import { getConfig } from '@/lib/config';
import { createRedisClient, type RedisConfig, type RedisConnection } from '@/lib/redis';
import { freePort, startRedisCluster, startRedisServer, startRedisWithSentinel } from '../../support/redis-server';

const opened: RedisConnection[] = [];

afterAll(async () => {
  await Promise.all(opened.map((client) => client.quit().catch(() => client.disconnect())));
});

async function connected(config: RedisConfig): Promise<RedisConnection> {
  const client = createRedisClient(config);
  opened.push(client);
  if (client.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      setTimeout(() => reject(new Error('Redis did not become ready')), 10_000);
    });
  }
  return client;
}

/** One app instance's cache: its own connections, store, manifest and handlers. */
async function instance(config: RedisConfig, maxTtlSeconds = 3600) {
  const redis = await connected(config);
  const subscriber = await connected(config);
  const counters: CacheCounters = { hits: 0, misses: 0, sets: 0, unavailable: 0 };
  const store = new EntryStore(redis, CACHE_KEY_PREFIX, maxTtlSeconds);
  const manifest = new TagManifest(redis, subscriber, { prefix: CACHE_KEY_PREFIX, retentionSeconds: maxTtlSeconds });
  manifest.listen();
  await expect.poll(() => manifest.listening).toBe(true);
  return {
    redis,
    store,
    manifest,
    counters,
    useCache: createUseCacheHandler(store, manifest, counters),
    incremental: new RedisIncrementalCache(store, manifest, counters),
  };
}

function entry(text: string, tags: string[], life: { revalidate?: number; expire?: number } = {}): CacheEntry {
  return {
    value: new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    }),
    tags,
    stale: 30,
    timestamp: Date.now(),
    revalidate: life.revalidate ?? 60,
    expire: life.expire ?? 300,
  };
}

async function textOf(found: CacheEntry | undefined): Promise<string | undefined> {
  return found ? new Response(found.value).text() : undefined;
}

/** Tag states compare with entry timestamps in milliseconds: an update in the same one would not count. */
const nextMillisecond = () => new Promise((resolve) => setTimeout(resolve, 2));

function expireInAnotherProcess(config: RedisConfig, tags: string[]) {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'tests/support/cache-process.ts', JSON.stringify(config), ...tags],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  expect(child.status, child.stderr).toBe(0);
}

const shared = getConfig().redis as RedisConfig;

/** The contract every Redis topology keeps: run on the shared server, a Cluster and a Sentinel primary. */
function sharedCacheContract(config: () => RedisConfig) {
  it('stores an entry with its metadata, and another instance reads the same bytes', async () => {
    const [a, b] = [await instance(config()), await instance(config())];
    const key = `page-${randomUUID()}`;
    await a.useCache.set(key, Promise.resolve(entry('<p>hello</p>', ['greeting'])));
    const found = await b.useCache.get(key, []);
    expect(found).toMatchObject({ tags: ['greeting'], revalidate: 60, expire: 300, stale: 30 });
    expect(await textOf(found)).toBe('<p>hello</p>');
    expect(b.counters.hits).toBe(1);
  });

  it('an invalidation on one instance is seen at once by it, and by the others on their next reads', async () => {
    const [a, b] = [await instance(config()), await instance(config())];
    const tag = `files:${randomUUID()}`;
    const key = `listing-${randomUUID()}`;
    await a.useCache.set(key, Promise.resolve(entry('v1', [tag])));
    // b has read the tag's state and keeps it in memory: only the published update can change that.
    expect(await textOf(await b.useCache.get(key, []))).toBe('v1');
    await nextMillisecond();
    await a.useCache.updateTags([tag]);
    expect(await a.useCache.get(key, [])).toBeUndefined();
    await expect
      .poll(async () => textOf(await b.useCache.get(key, [])), { timeout: 2_000, interval: 5 })
      .toBeUndefined();
  });
}

describe('the cache handlers on the shared Redis', () => {
  sharedCacheContract(() => shared);

  it('an invalidation made by another process reaches an instance that had the tag in memory', async () => {
    const a = await instance(shared);
    const tag = `other-process-${randomUUID()}`;
    const key = `k-${randomUUID()}`;
    await a.useCache.set(key, Promise.resolve(entry('before', [tag])));
    expect(await textOf(await a.useCache.get(key, []))).toBe('before');
    await nextMillisecond();
    expireInAnotherProcess(shared, [tag]);
    await expect
      .poll(async () => textOf(await a.useCache.get(key, [])), { timeout: 2_000, interval: 5 })
      .toBeUndefined();
  });

  it('an entry lives as long as its cache life, and never longer than the cap', async () => {
    const a = await instance(shared, 120);
    const short = `short-${randomUUID()}`;
    await a.useCache.set(short, Promise.resolve(entry('brief', [], { revalidate: 1, expire: 1 })));
    expect(await textOf(await a.useCache.get(short, []))).toBe('brief');
    await expect.poll(async () => a.useCache.get(short, []), { timeout: 3_000, interval: 100 }).toBeUndefined();

    const forever = `forever-${randomUUID()}`;
    await a.useCache.set(forever, Promise.resolve(entry('kept', [], { expire: 0xfffffffe })));
    const ttl = await a.redis.pttl(a.store.keyOf('use-cache', forever));
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('a dynamic entry (expire 0) is not stored', async () => {
    const a = await instance(shared);
    const key = `dynamic-${randomUUID()}`;
    await a.useCache.set(key, Promise.resolve(entry('per request', [], { expire: 0 })));
    expect(await a.redis.exists(a.store.keyOf('use-cache', key))).toBe(0);
  });

  it('revalidateTag with a profile serves the entry once more as stale; soft tags report their expiry', async () => {
    const a = await instance(shared);
    const tag = `profile-${randomUUID()}`;
    const key = `swr-${randomUUID()}`;
    await a.useCache.set(key, Promise.resolve(entry('old but usable', [tag])));
    await nextMillisecond();
    await a.useCache.updateTags([tag], {});
    const found = await a.useCache.get(key, []);
    expect(await textOf(found)).toBe('old but usable');
    expect(found?.revalidate).toBe(-1);

    const soft = `_N_T_/soft-${randomUUID()}`;
    expect(await a.useCache.getExpiration([soft])).toBe(0);
    const before = Date.now();
    await a.useCache.updateTags([soft]);
    expect(await a.useCache.getExpiration([soft])).toBeGreaterThanOrEqual(before);
  });

  it('a get during a set of the same key waits for it instead of missing', async () => {
    const a = await instance(shared);
    const key = `pending-${randomUUID()}`;
    let finish: (value: CacheEntry) => void = () => {};
    const setting = a.useCache.set(key, new Promise<CacheEntry>((resolve) => (finish = resolve)));
    const reading = a.useCache.get(key, []);
    finish(entry('arrived late', []));
    await setting;
    expect(await textOf(await reading)).toBe('arrived late');
  });

  it('the incremental cache keeps the Buffers and Maps of a page, and drops it when a tag in its header expires', async () => {
    const a = await instance(shared);
    const tag = `isr-${randomUUID()}`;
    const key = `/isr-${randomUUID()}`;
    const page = {
      kind: 'APP_PAGE',
      html: '<html>page</html>',
      rscData: Buffer.from([0, 1, 2, 250]),
      headers: { 'x-next-cache-tags': `${tag},_N_T_/layout` },
      status: 200,
      segmentData: new Map([['/_tree', Buffer.from('tree')]]),
    };
    await a.incremental.set(key, page, { cacheControl: { revalidate: 60, expire: 120 } });
    const found = await a.incremental.get(key, { kind: 'APP_PAGE' });
    expect(found?.cacheControl).toEqual({ revalidate: 60, expire: 120 });
    expect(found?.value).toMatchObject({ kind: 'APP_PAGE', html: '<html>page</html>', status: 200 });
    expect(Buffer.isBuffer(found?.value?.rscData)).toBe(true);
    expect((found?.value?.rscData as Buffer).equals(page.rscData)).toBe(true);
    expect((found?.value?.segmentData as Map<string, Buffer>).get('/_tree')?.toString()).toBe('tree');
    const ttl = await a.redis.pttl(a.store.keyOf('incremental', key));
    expect(ttl).toBeGreaterThan(100_000);
    expect(ttl).toBeLessThanOrEqual(120_000);

    await nextMillisecond();
    await a.incremental.revalidateTag(tag);
    expect(await a.incremental.get(key, { kind: 'APP_PAGE' })).toBeNull();
  });

  it('the fetch cache checks the tags of the request as well as the stored ones', async () => {
    const a = await instance(shared);
    const tag = `fetch-${randomUUID()}`;
    const key = `fetch-${randomUUID()}`;
    const value = {
      kind: 'FETCH',
      data: { headers: {}, body: 'e30=', url: 'https://example.com', status: 200 },
      revalidate: 30,
      tags: [tag],
    };
    await a.incremental.set(key, value, { fetchCache: true, tags: [tag] });
    expect((await a.incremental.get(key, { kind: 'FETCH', tags: [tag], softTags: [] }))?.value).toMatchObject({
      kind: 'FETCH',
    });
    await nextMillisecond();
    await a.incremental.revalidateTag([tag]);
    expect(await a.incremental.get(key, { kind: 'FETCH', tags: [tag], softTags: [] })).toBeNull();
  });
});

describe("Next's incremental cache adapter (next.config's cacheHandler)", () => {
  it('shares entries between replicas of one build and never with another build', async () => {
    installAppCacheHandlers(shared, 3600);
    const modulePath = '@zigznote/next-cache/incremental-cache-handler';
    const { default: Adapter } = (await import(modulePath)) as {
      default: new (context: { serverDistDir: string; fs: { readFile: typeof readFile } }) => {
        get(key: string, context: { kind: string }): Promise<{ value: { body: Buffer } } | null>;
        set(key: string, value: unknown, context: object): Promise<void>;
      };
    };
    const buildDir = (id: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'zz-build-'));
      mkdirSync(join(dir, 'server'));
      writeFileSync(join(dir, 'BUILD_ID'), id);
      return join(dir, 'server');
    };
    // Next hands the handler its file access (CacheFs); fs.promises is what it wraps.
    const release = buildDir(`release-${randomUUID()}`);
    const replicaA = new Adapter({ serverDistDir: release, fs: { readFile } });
    const replicaB = new Adapter({ serverDistDir: release, fs: { readFile } });
    const nextRelease = new Adapter({ serverDistDir: buildDir(`next-${randomUUID()}`), fs: { readFile } });
    const route = { kind: 'APP_ROUTE', body: Buffer.from('rendered by this build'), status: 200, headers: {} };
    await replicaA.set('/auth/signup', route, { cacheControl: { revalidate: 60, expire: 120 } });
    expect((await replicaB.get('/auth/signup', { kind: 'APP_ROUTE' }))?.value.body.toString()).toBe(
      'rendered by this build',
    );
    expect(await nextRelease.get('/auth/signup', { kind: 'APP_ROUTE' })).toBeNull();
  });
});

describe("a tag's version (what keys the file listing, so no request joins a computation begun before a change)", () => {
  it('is 0 for a tag never expired and moves forward with every expiry', async () => {
    installAppCacheHandlers(shared, 3600);
    const tag = `files:version-${randomUUID()}`;
    expect(await cacheTagVersion(tag)).toBe(0);
    const before = Date.now();
    await expireCacheTags([tag]);
    const first = await cacheTagVersion(tag);
    expect(first).toBeGreaterThanOrEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expireCacheTags([tag]);
    expect(await cacheTagVersion(tag)).toBeGreaterThan(first);
    expect(await cacheTagVersion(`files:other-${randomUUID()}`)).toBe(0);
  });
});

describe('with Redis down', () => {
  it('every read misses and every write is dropped, at once and without an error; the cache recovers when Redis returns', async () => {
    const port = await freePort();
    let server = await startRedisServer(port);
    const config: RedisConfig = { kind: 'redis', url: `redis://127.0.0.1:${port}` };
    const a = await instance(config);
    const key = `down-${randomUUID()}`;
    await a.useCache.set(key, Promise.resolve(entry('cached', ['t'])));
    expect(await textOf(await a.useCache.get(key, []))).toBe('cached');

    await server.stop();
    await expect.poll(() => a.redis.status).not.toBe('ready');
    const started = performance.now();
    expect(await a.useCache.get(key, [])).toBeUndefined();
    await a.useCache.set(`${key}-2`, Promise.resolve(entry('lost', [])));
    expect(await a.incremental.get(key, { kind: 'APP_PAGE' })).toBeNull();
    await a.incremental.set(key, { kind: 'APP_ROUTE', body: Buffer.from('x'), status: 200, headers: {} }, {});
    expect(await a.useCache.getExpiration(['t'])).toBe(Infinity);
    // Answering "unavailable" does not wait for a reconnect or a command timeout (500 ms).
    expect(performance.now() - started).toBeLessThan(250);
    expect(a.counters.unavailable).toBeGreaterThanOrEqual(4);
    expect(a.manifest.listening).toBe(false);

    // cached() computes every time while Redis is down: callers still get answers.
    const values = new SharedValueCache(a.redis, { prefix: CACHE_KEY_PREFIX });
    let computed = 0;
    for (let i = 1; i <= 3; i++) expect(await values.get('down-value', 60, async () => ++computed)).toBe(i);

    server = await startRedisServer(port);
    await expect.poll(() => a.redis.status, { timeout: 10_000 }).toBe('ready');
    await expect.poll(() => a.manifest.listening, { timeout: 10_000 }).toBe(true);
    await a.useCache.set(key, Promise.resolve(entry('cached again', [])));
    expect(await textOf(await a.useCache.get(key, []))).toBe('cached again');
    await server.stop();
  });
});

describe('cached(key, ttl, compute) across instances', () => {
  const values = async () => new SharedValueCache(await connected(shared), { prefix: CACHE_KEY_PREFIX, pollMs: 10 });

  it('a cold key under load is computed once across three instances and 60 concurrent callers', async () => {
    const instances = await Promise.all([values(), values(), values()]);
    const key = `cold-${randomUUID()}`;
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { answer: 42 };
    };
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => instances[i % 3]!.get(key, 30, compute)));
    expect(computations).toBe(1);
    expect(results.every((result) => result.answer === 42)).toBe(true);
  });

  it('after its time to live, one instance recomputes while the others serve the previous value', async () => {
    const [a, b] = await Promise.all([values(), values()]);
    const key = `stale-${randomUUID()}`;
    expect(await a.get(key, 1, async () => 'first')).toBe('first');
    await expect
      .poll(async () => a.get(key, 1, async () => 'second'), { timeout: 3_000, interval: 100 })
      .toBe('second');
    // Now 'second' is fresh for a second; once it is not, a slow recomputation holds the lock.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    let release: () => void = () => {};
    let started = false;
    const slow = a.get(key, 1, () => {
      started = true;
      return new Promise<string>((resolve) => (release = () => resolve('third')));
    });
    await expect.poll(() => started).toBe(true);
    expect(await b.get(key, 1, async () => 'not b')).toBe('second');
    expect(b.counters.servedStale).toBe(1);
    release();
    expect(await slow).toBe('third');
    expect(await b.get(key, 1, async () => 'not b either')).toBe('third');
  });

  it('a failing computation reaches its caller and does not block the next one', async () => {
    const a = await values();
    const key = `failing-${randomUUID()}`;
    await expect(a.get(key, 30, async () => Promise.reject(new Error('database said no')))).rejects.toThrow(
      'database said no',
    );
    expect(await a.get(key, 30, async () => 'recovered')).toBe('recovered');
  });
});

describe('on a Redis Cluster of three masters', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
  });
  afterAll(async () => cluster.stop());
  sharedCacheContract(() => ({
    kind: 'cluster',
    nodes: cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    password: undefined,
  }));
});

describe('on a Sentinel-managed primary', () => {
  let sentinel: Awaited<ReturnType<typeof startRedisWithSentinel>>;
  beforeAll(async () => {
    sentinel = await startRedisWithSentinel('cache-primary');
  });
  afterAll(async () => sentinel.stop());
  sharedCacheContract(() => ({
    kind: 'sentinel',
    sentinels: [{ host: '127.0.0.1', port: sentinel.sentinel.port }],
    name: 'cache-primary',
    password: undefined,
  }));
});

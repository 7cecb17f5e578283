// Cache benchmark: /files and GET /api/files requests per second with the Redis cache against the same
// build with CACHE_DISABLED (measured alternately, one user with 200 files); a cache hit through the
// 'use cache' handler against a Redis PING (interleaved); and the time from a tag invalidation made by
// one instance to the first fresh listing served by another (a running server).
import { randomUUID } from 'node:crypto';
import { createSession, createUser, sessionCookieName } from '../lib/auth';
import { createUseCacheHandler, EntryStore, TagManifest } from '@zigznote/next-cache';
import { CACHE_KEY_PREFIX } from '../lib/cache';
import { loadConfig } from '../lib/config';
import { closeDatabase, files, getDatabase } from '../lib/db';
import { closeRedis, createRedisClient, getKeyValue, getRedis, type RedisConfig } from '../lib/redis';
import { bucketNames, fileListTag } from '../lib/storage';
import { percentile, printTable, requestsPerSecond, startNextServer } from './support';

const FILES = 200;
const ROUNDS = 3;
const SECONDS = 3;
const PROPAGATION_SAMPLES = 100;

async function main() {
  const config = loadConfig(process.env);
  const redisConfig = config.redis as RedisConfig;
  const db = await getDatabase(config.database);
  const user = await createUser(db, {
    email: `bench.cache.${Date.now()}@zigznote.test`,
    name: 'Bench',
    passwordHash: 'scrypt$unused',
  });
  const userId = user!.id;
  const bucket = bucketNames(config.storage.bucketPrefix).audio;
  const fileRow = (i: number) => ({
    ownerId: userId,
    bucket,
    objectKey: `${userId}/${randomUUID()}`,
    name: `take-${i}.mp3`,
    size: 1_000_000 + i,
    contentType: 'audio/mpeg',
  });
  await db.insert(files).values(Array.from({ length: FILES }, (_, i) => fileRow(i)));
  const { token } = (await createSession(getKeyValue(config.redis), userId))!;
  const headers = { cookie: `${sessionCookieName(true)}=${token}` };

  const env = { RATE_LIMITS: 'api=10000000/1m' };
  const cachedServer = await startNextServer('.', 3331, env);
  const uncachedServer = await startNextServer('.', 3332, { ...env, CACHE_DISABLED: 'true' });
  const rows: Array<[string, string, string]> = [];
  try {
    for (const path of ['/files', '/api/files']) {
      const cached: number[] = [];
      const uncached: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        uncached.push((await requestsPerSecond(`${uncachedServer.url}${path}`, SECONDS, 16, headers)).rps);
        const run = await requestsPerSecond(`${cachedServer.url}${path}`, SECONDS, 16, headers);
        if (Object.keys(run.statuses).some((status) => status !== '200'))
          throw new Error(`${path}: ${JSON.stringify(run.statuses)}`);
        cached.push(run.rps);
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      rows.push([
        `${path} requests/s cached / uncached (${FILES} files)`,
        `${(median(cached) / median(uncached)).toFixed(2)} (${median(cached).toFixed(0)} / ${median(uncached).toFixed(0)})`,
        '> 1',
      ]);
    }

    // A hit: read one listing-sized entry through the handler (GET, tag check from memory, stream).
    const redis = getRedis(redisConfig);
    const subscriber = createRedisClient(redisConfig);
    const manifest = new TagManifest(redis, subscriber, { prefix: CACHE_KEY_PREFIX, retentionSeconds: 3600 });
    manifest.listen();
    while (!manifest.listening) await new Promise((resolve) => setTimeout(resolve, 10));
    const handler = createUseCacheHandler(new EntryStore(redis, CACHE_KEY_PREFIX, 3600), manifest, {
      hits: 0,
      misses: 0,
      sets: 0,
      unavailable: 0,
    });
    const key = `bench-${randomUUID()}`;
    const payload = new TextEncoder().encode(JSON.stringify(Array.from({ length: 20 }, (_, i) => fileRow(i))));
    await handler.set(
      key,
      Promise.resolve({
        value: new ReadableStream({ start: (c) => (c.enqueue(payload), c.close()) }),
        tags: [fileListTag(userId)],
        stale: 30,
        timestamp: Date.now(),
        revalidate: 60,
        expire: 300,
      }),
    );
    const ping: number[] = [];
    const hit: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      let started = performance.now();
      await redis.ping();
      ping.push(performance.now() - started);
      started = performance.now();
      const found = await handler.get(key, []);
      if (!found) throw new Error('the entry was not found');
      await new Response(found.value).arrayBuffer();
      hit.push(performance.now() - started);
    }
    ping.sort((a, b) => a - b);
    hit.sort((a, b) => a - b);
    rows.push([
      `cache hit p50 / Redis PING p50 (${payload.length} B entry)`,
      `${(percentile(hit, 50) / percentile(ping, 50)).toFixed(2)} (${percentile(hit, 50).toFixed(3)} / ${percentile(ping, 50).toFixed(3)} ms)`,
      '≈ 1 (one GET)',
    ]);

    // Invalidation: this process plays the instance that completes an upload; the server is the other.
    const propagation: number[] = [];
    const count = async () =>
      ((await (await fetch(`${cachedServer.url}/api/files`, { headers })).json()) as { files: unknown[] }).files.length;
    let expected = await count();
    for (let i = 0; i < PROPAGATION_SAMPLES; i++) {
      await db.insert(files).values(fileRow(FILES + i));
      expected += 1;
      const started = performance.now();
      await manifest.update([fileListTag(userId)]);
      while ((await count()) !== expected) {
        if (performance.now() - started > 5_000) throw new Error('the listing never showed the new file');
      }
      propagation.push(performance.now() - started);
    }
    propagation.sort((a, b) => a - b);
    rows.push([
      `revalidateTag on one instance → fresh listing on another, p50 / p99 (${PROPAGATION_SAMPLES})`,
      `${percentile(propagation, 50).toFixed(1)} / ${percentile(propagation, 99).toFixed(1)} ms`,
      'one request',
    ]);
    subscriber.disconnect();
  } finally {
    await Promise.all([cachedServer.stop(), uncachedServer.stop()]);
    await closeRedis();
    await closeDatabase();
  }
  printTable('Cache (Redis, shared by instances)', rows);
}

await main();

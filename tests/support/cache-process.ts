// Another app instance, as far as the cache is concerned: its own Redis connection and tag manifest.
// Expires the tags given on the command line and exits. Run with `node --import tsx`.
import { TagManifest } from '@zigznote/next-cache';
import { CACHE_KEY_PREFIX } from '@/lib/cache';
import { createRedisClient, type RedisConfig } from '@/lib/redis';

const [configJson, ...tags] = process.argv.slice(2);
const redis = createRedisClient(JSON.parse(configJson!) as RedisConfig);
await new Promise<void>((resolve, reject) => {
  redis.once('ready', resolve);
  setTimeout(() => reject(new Error('Redis did not answer')), 10_000).unref();
});
await new TagManifest(redis, undefined, { prefix: CACHE_KEY_PREFIX, retentionSeconds: 3600 }).update(tags);
await redis.quit();

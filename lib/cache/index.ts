/**
 * Caching on Redis, shared by every app instance: the handlers Next calls for `'use cache'` and for its
 * incremental cache (wired in next.config.mjs through the two small adapters beside this file), the tag
 * invalidation they share, and `cached(key, ttlSeconds, compute)` for code outside React. Start-up
 * installs them once per process; until then, without Redis, or while Redis is down, everything is
 * computed uncached. Node-only.
 */
import type { CacheHandler } from 'next/dist/server/lib/cache-handlers/types';
import type { AppConfig } from '../config';
import { createRedisClient, getRedis } from '../redis';
import { exposeCounters } from '../observability/metrics';
import { processState } from '../runtime/process-state';
import { emptyCounters, EntryStore, type CacheCounters } from './entry-store';
import { RedisIncrementalCache } from './incremental-cache';
import { SharedValueCache, type CachedOptions, type SharedValueCounters } from './shared-value-cache';
import { TagManifest } from './tag-manifest';
import { createUseCacheHandler } from './use-cache-handler';

export { EntryStore, CacheUnavailableError, type CacheCounters } from './entry-store';
export { TagManifest, type TagState } from './tag-manifest';
export { createUseCacheHandler } from './use-cache-handler';
export { RedisIncrementalCache } from './incremental-cache';
export { SharedValueCache, type CachedOptions } from './shared-value-cache';

export const CACHE_KEY_PREFIX = 'zz:cache:';

/** What next.config's adapters find on globalThis (see ./next-use-cache-handler.mjs). */
interface CacheRegistry {
  useCache?: CacheHandler;
  incremental?: RedisIncrementalCache;
  manifest?: TagManifest;
  values: SharedValueCache;
  counters: { useCache: CacheCounters; incremental: CacheCounters };
  computations: Record<string, number>;
}

const registry = processState<CacheRegistry>('cache-handlers', () => {
  const created: CacheRegistry = {
    values: new SharedValueCache(undefined, { prefix: CACHE_KEY_PREFIX }),
    counters: { useCache: emptyCounters(), incremental: emptyCounters() },
    computations: {},
  };
  exposeCounters(() => ({
    useCache: { ...created.counters.useCache },
    incremental: { ...created.counters.incremental },
    values: { ...created.values.counters },
  }));
  return created;
});

/**
 * Called once at start-up. With Redis configured, Next's cache handlers and `cached()` use it from now
 * on; with the in-process development store, or when disabled, caching stays off (answers are computed
 * every time).
 */
export function installCacheHandlers(redisConfig: AppConfig['redis'], maxTtlSeconds: number, disabled = false): { enabled: boolean } {
  if (disabled || redisConfig.kind === 'memory' || registry.manifest) return { enabled: registry.manifest !== undefined };
  const redis = getRedis(redisConfig);
  // Subscribing takes a connection over: updates from other instances arrive on a second one.
  const subscriber = createRedisClient(redisConfig);
  const store = new EntryStore(redis, CACHE_KEY_PREFIX, maxTtlSeconds);
  const manifest = new TagManifest(redis, subscriber, { prefix: CACHE_KEY_PREFIX, retentionSeconds: maxTtlSeconds + 3600 });
  manifest.listen();
  registry.manifest = manifest;
  registry.useCache = createUseCacheHandler(store, manifest, registry.counters.useCache);
  registry.incremental = new RedisIncrementalCache(store, manifest, registry.counters.incremental);
  registry.values = new SharedValueCache(redis, { prefix: CACHE_KEY_PREFIX });
  return { enabled: true };
}

/**
 * A JSON value computed by `compute`, shared by every instance for `ttlSeconds`; a cold key under load is
 * computed once across all of them (see SharedValueCache).
 */
export function cached<T>(key: string, ttlSeconds: number, compute: () => Promise<T>, options?: CachedOptions): Promise<T> {
  return registry.values.get(key, ttlSeconds, compute, options);
}

/**
 * Expires the tags on every instance before it returns (Next's `revalidateTag` from a route handler only
 * runs after the response is sent, so the next request could still be served the old entry).
 */
export async function expireCacheTags(tags: string[]): Promise<void> {
  await registry.manifest?.update(tags);
}

/** Counts runs of a cached computation by name, so a cache hit is provable (health detail, tests). */
export function countCacheComputation(name: string): void {
  registry.computations[name] = (registry.computations[name] ?? 0) + 1;
}

export interface CacheStats {
  enabled: boolean;
  /** following other instances' invalidations (false: every tag read goes to Redis) */
  listening: boolean;
  useCache: CacheCounters;
  incremental: CacheCounters;
  values: SharedValueCounters;
  computations: Record<string, number>;
}

export function cacheStats(): CacheStats {
  return {
    enabled: registry.manifest !== undefined,
    listening: registry.manifest?.listening ?? false,
    useCache: { ...registry.counters.useCache },
    incremental: { ...registry.counters.incremental },
    values: { ...registry.values.counters },
    computations: { ...registry.computations },
  };
}

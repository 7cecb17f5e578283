/**
 * This app's wiring of @zigznote/next-cache: at start-up, the two Next cache handlers (named in
 * next.config.mjs) and `cached(key, ttlSeconds, compute)` go onto the app's Redis, with a second
 * connection following other instances' invalidations; their counters go to /api/metrics and
 * /api/health. Until start-up, without Redis (the development store) or when disabled, everything is
 * computed uncached. Node-only.
 */
import {
  createCacheHandlers,
  emptyCounters,
  installCacheHandlers,
  SharedValueCache,
  type CacheHandlers,
  type CachedOptions,
} from '@zigznote/next-cache';
import type { CacheCounters, SharedValueCounters } from '@zigznote/next-cache';
import type { AppConfig } from '../config';
import { createRedisClient, getRedis } from '../redis';
import { exposeCounters } from '../observability';
import { processState } from '../runtime';

export const CACHE_KEY_PREFIX = 'zz:cache:';

interface CacheRegistry {
  handlers?: CacheHandlers;
  uncachedValues: SharedValueCache;
  computations: Record<string, number>;
}

const registry = processState<CacheRegistry>('cache-handlers', () => {
  const created: CacheRegistry = {
    uncachedValues: new SharedValueCache(undefined, { prefix: CACHE_KEY_PREFIX }),
    computations: {},
  };
  exposeCounters(() => {
    const { useCache, incremental } = created.handlers?.counters ?? {
      useCache: emptyCounters(),
      incremental: emptyCounters(),
    };
    return { useCache: { ...useCache }, incremental: { ...incremental }, values: { ...values().counters } };
  });
  return created;
});

const values = () => registry.handlers?.values ?? registry.uncachedValues;

/**
 * Called once at start-up. With Redis configured, Next's cache handlers and `cached()` use it from now
 * on; with the in-process development store, or when disabled, caching stays off.
 */
export function installAppCacheHandlers(
  redisConfig: AppConfig['redis'],
  maxTtlSeconds: number,
  disabled = false,
): { enabled: boolean } {
  if (disabled || redisConfig.kind === 'memory' || registry.handlers)
    return { enabled: registry.handlers !== undefined };
  registry.handlers = createCacheHandlers({
    redis: getRedis(redisConfig),
    subscriber: createRedisClient(redisConfig),
    prefix: CACHE_KEY_PREFIX,
    maxTtlSeconds,
    scriptName: 'zzUpdateCacheTags',
  });
  installCacheHandlers(registry.handlers);
  return { enabled: true };
}

/**
 * A JSON value computed by `compute`, shared by every instance for `ttlSeconds`; a cold key under load is
 * computed once across all of them.
 */
export function cached<T>(
  key: string,
  ttlSeconds: number,
  compute: () => Promise<T>,
  options?: CachedOptions,
): Promise<T> {
  return values().get(key, ttlSeconds, compute, options);
}

/** Expires the tags on every instance before it returns. */
export async function expireCacheTags(tags: string[]): Promise<void> {
  await registry.handlers?.expireTags(tags);
}

/**
 * When `tag` last expired (0: never, or caching is off), from this instance's copy of the tag manifest (no
 * round trip while it follows the others). Passed to a `'use cache'` function as an argument it makes a
 * new cache key at every invalidation: Next hands a request the result of a computation of the same key
 * already in flight in this process, which may have read the database before the change the request's
 * own user just made; a new key cannot be joined to one that began before.
 */
export async function cacheTagVersion(tag: string): Promise<number> {
  const handlers = registry.handlers;
  if (!handlers) return 0;
  try {
    const states = await handlers.manifest.states([tag]);
    return states.get(tag)?.expired ?? 0;
  } catch {
    // Redis unreachable: a key of its own, so nothing cached earlier can be served as current.
    return Date.now();
  }
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
  const handlers = registry.handlers;
  return {
    enabled: handlers !== undefined,
    listening: handlers?.manifest.listening ?? false,
    useCache: { ...(handlers?.counters.useCache ?? emptyCounters()) },
    incremental: { ...(handlers?.counters.incremental ?? emptyCounters()) },
    values: { ...values().counters },
    computations: { ...registry.computations },
  };
}

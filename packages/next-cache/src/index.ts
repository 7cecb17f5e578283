/**
 * @zigznote/next-cache: Next.js 16's two cache handlers on your own Redis (ioredis: single, Sentinel,
 * Cluster), shared by every instance of the app. `cacheHandlers` serves `'use cache'`, `cacheHandler` the
 * incremental cache (ISR pages, cached route handlers, fetch); a tag invalidated on one instance is
 * invalidated on all of them before `revalidateTag`/`updateTag` returns there, and followed by the others
 * through pub/sub. Every entry has a time to live (capped by `maxTtlSeconds`), so Redis memory stays
 * bounded under `noeviction`; any Redis failure is a cache miss, never an error page. Node-only.
 */
import type { CacheHandler } from 'next/dist/server/lib/cache-handlers/types.js';
import { emptyCounters, EntryStore, type CacheCounters } from './entry-store.js';
import { RedisIncrementalCache } from './incremental-cache.js';
import { SharedValueCache } from './shared-value-cache.js';
import { TagManifest } from './tag-manifest.js';
import type { RedisClient } from './types.js';
import { createUseCacheHandler } from './use-cache-handler.js';

export { EntryStore, CacheUnavailableError, emptyCounters, type CacheCounters } from './entry-store.js';
export { TagManifest, type TagState, type TagManifestOptions } from './tag-manifest.js';
export { createUseCacheHandler } from './use-cache-handler.js';
export { RedisIncrementalCache } from './incremental-cache.js';
export {
  SharedValueCache,
  type CachedOptions,
  type SharedValueCounters,
  type SharedValueCacheOptions,
} from './shared-value-cache.js';
export type { RedisClient } from './types.js';

/** Where the entry files Next loads find the handlers this process installed. */
export const DEFAULT_REGISTRY_KEY = '@zigznote/next-cache';

export interface CacheHandlersOptions {
  /** Your ioredis client, for reads and writes. Used, never closed. */
  redis: RedisClient;
  /**
   * A second connection, to follow other instances' invalidations (SUBSCRIBE takes a connection over).
   * Without one, every tag check reads Redis: still correct, one more round trip per cached read.
   * @default none
   */
  subscriber?: RedisClient;
  /** Start of every key, and of the pub/sub channel. @default "next-cache:" */
  prefix?: string;
  /** No entry outlives this, whatever its cache life says ("never" included). @default 604800 (7 days) */
  maxTtlSeconds?: number;
  /** The name the tag-update script is defined under on your client. @default "nextCacheUpdateTags" */
  scriptName?: string;
}

export interface CacheHandlers {
  /** For Next's `cacheHandlers` (`'use cache'`, `'use cache: remote'`). */
  useCache: CacheHandler;
  /** For Next's `cacheHandler` (the incremental cache). */
  incremental: RedisIncrementalCache;
  /** `values.get(key, ttlSeconds, compute)`: a JSON value for code outside React, computed once across instances. */
  values: SharedValueCache;
  manifest: TagManifest;
  counters: { useCache: CacheCounters; incremental: CacheCounters };
  /** Expires tags on every instance before it returns (a route handler's `revalidateTag` runs after its response). */
  expireTags(tags: readonly string[]): Promise<void>;
}

export function createCacheHandlers(options: CacheHandlersOptions): CacheHandlers {
  const redis = options?.redis as Partial<RedisClient> | undefined;
  if (!redis || typeof redis.getBuffer !== 'function' || typeof redis.defineCommand !== 'function') {
    throw new TypeError(
      'createCacheHandlers: `redis` must be an ioredis client (new Redis(url), a Sentinel client or a Cluster)',
    );
  }
  if (options.subscriber === options.redis) {
    throw new TypeError(
      'createCacheHandlers: `subscriber` must be a connection of its own (redis.duplicate()): subscribing takes a connection over',
    );
  }
  const prefix = options.prefix ?? 'next-cache:';
  const maxTtlSeconds = options.maxTtlSeconds ?? 7 * 24 * 3600;
  if (!(maxTtlSeconds > 0))
    throw new RangeError(
      `createCacheHandlers: \`maxTtlSeconds\` must be positive, got ${String(options.maxTtlSeconds)}`,
    );
  const store = new EntryStore(options.redis, prefix, maxTtlSeconds);
  const manifest = new TagManifest(options.redis, options.subscriber, {
    prefix,
    retentionSeconds: maxTtlSeconds + 3600,
    scriptName: options.scriptName,
  });
  if (options.subscriber) manifest.listen();
  const counters = { useCache: emptyCounters(), incremental: emptyCounters() };
  return {
    useCache: createUseCacheHandler(store, manifest, counters.useCache),
    incremental: new RedisIncrementalCache(store, manifest, counters.incremental),
    values: new SharedValueCache(options.redis, { prefix }),
    manifest,
    counters,
    expireTags: (tags) => manifest.update(tags),
  };
}

/**
 * Makes `handlers` the ones this process's Next entry files (`@zigznote/next-cache/use-cache-handler`,
 * `@zigznote/next-cache/incremental-cache-handler`) forward to; call it once at start-up (in
 * `instrumentation.ts`'s `register`). Until then, and during `next build`, those files cache nothing.
 */
export function installCacheHandlers(
  handlers: CacheHandlers,
  { registryKey = DEFAULT_REGISTRY_KEY }: { registryKey?: string } = {},
): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(registryKey)] = handlers;
}

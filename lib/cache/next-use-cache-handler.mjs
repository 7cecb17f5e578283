/**
 * The `cacheHandlers` entry next.config.mjs names for `'use cache'`. Next imports this file on its own,
 * outside the app's bundles, so it stays plain JavaScript and forwards to the handler start-up installed
 * (lib/cache/index.ts) on globalThis. Before that, during `next build`, and without Redis it caches
 * nothing: every call is a miss.
 */
const installed = () => globalThis[Symbol.for('zigznote.cache-handlers')]?.useCache;

const useCacheHandler = {
  get: (cacheKey, softTags) => installed()?.get(cacheKey, softTags) ?? Promise.resolve(undefined),
  set: (cacheKey, pendingEntry) => installed()?.set(cacheKey, pendingEntry) ?? Promise.resolve(),
  refreshTags: () => installed()?.refreshTags() ?? Promise.resolve(),
  getExpiration: (tags) => installed()?.getExpiration(tags) ?? Promise.resolve(0),
  updateTags: (tags, durations) => installed()?.updateTags(tags, durations) ?? Promise.resolve(),
};

export default useCacheHandler;

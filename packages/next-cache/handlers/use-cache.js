/**
 * The file next.config names in `cacheHandlers` (`'use cache'`). Next loads it on its own, outside the
 * app's bundles, so it imports nothing and forwards to the handlers `installCacheHandlers` put on
 * globalThis. Before that (during `next build`, or with no Redis) every call is a miss.
 */
const installed = () => globalThis[Symbol.for('@zigznote/next-cache')]?.useCache;

const useCacheHandler = {
  get: (cacheKey, softTags) => installed()?.get(cacheKey, softTags) ?? Promise.resolve(undefined),
  set: (cacheKey, pendingEntry) => installed()?.set(cacheKey, pendingEntry) ?? Promise.resolve(),
  refreshTags: () => installed()?.refreshTags() ?? Promise.resolve(),
  getExpiration: (tags) => installed()?.getExpiration(tags) ?? Promise.resolve(0),
  updateTags: (tags, durations) => installed()?.updateTags(tags, durations) ?? Promise.resolve(),
};

export default useCacheHandler;

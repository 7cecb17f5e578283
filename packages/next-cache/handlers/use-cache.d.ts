import type { CacheHandler } from 'next/dist/server/lib/cache-handlers/types.js';

/** Forwards to the `useCache` handler `installCacheHandlers` installed; misses until then. */
declare const useCacheHandler: CacheHandler;
export default useCacheHandler;

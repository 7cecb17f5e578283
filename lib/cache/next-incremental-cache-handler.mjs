/**
 * The `cacheHandler` next.config.mjs names for Next's incremental cache (ISR pages, route handlers,
 * fetch). Next imports this file on its own, outside the app's bundles, so it stays plain JavaScript and
 * forwards to the handler start-up installed (lib/cache/index.ts) on globalThis. Before that, during
 * `next build`, and without Redis it caches nothing: every read is a miss.
 */
const installed = () => globalThis[Symbol.for('zigznote.cache-handlers')]?.incremental;

export default class IncrementalCacheHandler {
  async get(cacheKey, context) {
    return (await installed()?.get(cacheKey, context)) ?? null;
  }

  async set(cacheKey, value, context) {
    await installed()?.set(cacheKey, value, context);
  }

  async revalidateTag(tags, durations) {
    await installed()?.revalidateTag(tags, durations);
  }

  resetRequestCache() {}
}

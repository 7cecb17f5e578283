/**
 * The `cacheHandler` next.config.mjs names for Next's incremental cache (ISR pages, route handlers,
 * fetch). Next imports this file on its own, outside the app's bundles, so it stays plain JavaScript and
 * forwards to the handler start-up installed (lib/cache/index.ts) on globalThis. Before that, during
 * `next build`, and without Redis it caches nothing: every read is a miss.
 *
 * Keys carry the build id: a page rendered by one build names that build's scripts and server actions,
 * so another build sharing the Redis (the next release during a rolling deploy, a second app) must never
 * be served it. Replicas of one image share the id, and so the entries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const installed = () => globalThis[Symbol.for('zigznote.cache-handlers')]?.incremental;

const buildIds = new Map();

function buildIdOf(serverDistDir) {
  if (!serverDistDir) return 'unknown-build';
  if (!buildIds.has(serverDistDir)) {
    let id = 'unknown-build';
    try {
      id = readFileSync(join(serverDistDir, '..', 'BUILD_ID'), 'utf8').trim() || id;
    } catch {
      // no build output (tests): one shared namespace
    }
    buildIds.set(serverDistDir, id);
  }
  return buildIds.get(serverDistDir);
}

export default class IncrementalCacheHandler {
  constructor(context) {
    this.build = buildIdOf(context?.serverDistDir);
  }

  async get(cacheKey, context) {
    return (await installed()?.get(`${this.build}:${cacheKey}`, context)) ?? null;
  }

  async set(cacheKey, value, context) {
    await installed()?.set(`${this.build}:${cacheKey}`, value, context);
  }

  async revalidateTag(tags, durations) {
    await installed()?.revalidateTag(tags, durations);
  }

  resetRequestCache() {}
}

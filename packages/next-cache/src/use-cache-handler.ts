/**
 * The handler behind `'use cache'` (Next's `cacheHandlers`), on Redis: entries expire with their cache
 * life (capped), tags are checked against the shared tag manifest so `revalidateTag`/`updateTag` on one
 * instance reaches all of them, and any Redis failure is a miss, never an error. Node-only.
 */
import type { CacheEntry, CacheHandler } from 'next/dist/server/lib/cache-handlers/types.js';
import type { CacheCounters, EntryStore } from './entry-store.js';
import { hasExpiredTag, hasStaleTag, latestExpiry, type TagManifest } from './tag-manifest.js';

type EntryMeta = Omit<CacheEntry, 'value'>;

const KIND = 'use-cache';

export function createUseCacheHandler(store: EntryStore, manifest: TagManifest, counters: CacheCounters): CacheHandler {
  // A `get` while the same key's `set` is still writing waits for it (Next's contract).
  const pendingSets = new Map<string, Promise<void>>();

  return {
    async get(cacheKey) {
      await pendingSets.get(cacheKey);
      try {
        const stored = await store.read<EntryMeta>(KIND, cacheKey);
        if (!stored) {
          counters.misses++;
          return undefined;
        }
        const { meta, payload } = stored;
        const states = await manifest.states(meta.tags);
        if (hasExpiredTag(meta.tags, states, meta.timestamp)) {
          counters.misses++;
          return undefined;
        }
        counters.hits++;
        return {
          ...meta,
          // A stale tag serves the entry once more while Next renders a fresh one in the background.
          revalidate: hasStaleTag(meta.tags, states, meta.timestamp) ? -1 : meta.revalidate,
          value: streamOf(payload),
        };
      } catch {
        counters.unavailable++;
        return undefined;
      }
    },

    async set(cacheKey, pendingEntry) {
      let settled = () => {};
      pendingSets.set(cacheKey, new Promise<void>((resolve) => (settled = resolve)));
      try {
        const entry = await pendingEntry;
        const payload = await bufferOf(entry.value);
        // `expire: 0` marks a dynamic entry that Next renders on every request: storing it is wasted.
        if (entry.expire === 0) return;
        const { value: _value, ...meta } = entry;
        await store.write(KIND, cacheKey, meta, payload, entry.expire);
        counters.sets++;
      } catch {
        counters.unavailable++;
      } finally {
        settled();
        pendingSets.delete(cacheKey);
      }
    },

    // The manifest follows other instances' updates as they are published: nothing to pull per request.
    async refreshTags() {},

    async getExpiration(tags) {
      try {
        return latestExpiry(await manifest.states(tags));
      } catch {
        counters.unavailable++;
        // Unknown: Next then passes the soft tags to `get`, which fails the same way and misses.
        return Infinity;
      }
    },

    async updateTags(tags, durations) {
      await manifest.update(tags, durations);
    },
  };
}

function streamOf(bytes: Buffer): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      controller.close();
    },
  });
}

async function bufferOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

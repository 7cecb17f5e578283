/**
 * Next's incremental cache (`cacheHandler`: ISR pages, cached route handlers, the fetch cache) on Redis,
 * sharing the tag manifest with the `'use cache'` handler. Values keep their Buffers and Maps through a
 * JSON codec; each entry lives as long as its cache life says (capped); a Redis failure is a miss.
 * Node-only.
 */
import { deserializeValue, serializeValue, type CacheCounters, type EntryStore } from './entry-store.js';
import { hasExpiredTag, type TagManifest } from './tag-manifest.js';

/** The parts of Next's (internal) incremental-cache types this handler reads. */
export interface IncrementalValue {
  kind: string;
  headers?: Record<string, string | string[] | undefined>;
  [field: string]: unknown;
}

export interface IncrementalGetContext {
  kind: string;
  tags?: string[];
  softTags?: string[];
}

export interface IncrementalSetContext {
  fetchCache?: boolean;
  tags?: string[];
  cacheControl?: { revalidate?: number | false; expire?: number };
}

export interface IncrementalEntry {
  lastModified: number;
  value: IncrementalValue | null;
  cacheControl?: { revalidate?: number | false; expire?: number };
}

interface EntryMeta {
  lastModified: number;
  cacheControl?: IncrementalEntry['cacheControl'];
  tags: string[];
}

const KIND = 'incremental';
const CACHE_TAGS_HEADER = 'x-next-cache-tags';
const RESPONSE_KINDS = new Set(['APP_PAGE', 'APP_ROUTE', 'PAGES']);

export class RedisIncrementalCache {
  constructor(
    private readonly store: EntryStore,
    private readonly manifest: TagManifest,
    private readonly counters: CacheCounters,
  ) {}

  async get(cacheKey: string, context: IncrementalGetContext): Promise<IncrementalEntry | null> {
    try {
      const stored = await this.store.read<EntryMeta>(KIND, cacheKey);
      const value = stored ? deserializeValue<IncrementalValue | null>(stored.payload.toString('utf8')) : undefined;
      if (!stored || value === undefined) {
        this.counters.misses++;
        return null;
      }
      const tags = this.tagsToCheck(value, stored.meta.tags, context);
      if (tags.length > 0 && hasExpiredTag(tags, await this.manifest.states(tags), stored.meta.lastModified)) {
        this.counters.misses++;
        return null;
      }
      this.counters.hits++;
      return { lastModified: stored.meta.lastModified, value, cacheControl: stored.meta.cacheControl };
    } catch {
      this.counters.unavailable++;
      return null;
    }
  }

  async set(cacheKey: string, value: IncrementalValue | null, context: IncrementalSetContext): Promise<void> {
    try {
      if (!value) {
        await this.store.remove(KIND, cacheKey);
        return;
      }
      const cacheControl = context.fetchCache ? undefined : context.cacheControl;
      const meta: EntryMeta = {
        lastModified: Date.now(),
        cacheControl,
        tags: context.fetchCache ? (context.tags ?? []) : [],
      };
      await this.store.write(
        KIND,
        cacheKey,
        meta,
        Buffer.from(serializeValue(value)),
        lifetimeSeconds(value, cacheControl, this.store.maxTtlSeconds),
      );
      this.counters.sets++;
    } catch {
      this.counters.unavailable++;
    }
  }

  async revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void> {
    await this.manifest.update(typeof tags === 'string' ? [tags] : tags, durations);
  }

  resetRequestCache(): void {}

  private tagsToCheck(value: IncrementalValue | null, storedTags: string[], context: IncrementalGetContext): string[] {
    if (value && RESPONSE_KINDS.has(value.kind)) {
      const header = value.headers?.[CACHE_TAGS_HEADER];
      return typeof header === 'string' && header ? header.split(',') : [];
    }
    if (value?.kind === 'FETCH' && context.kind === 'FETCH')
      return [...storedTags, ...(context.tags ?? []), ...(context.softTags ?? [])];
    return [];
  }
}

function lifetimeSeconds(
  value: IncrementalValue,
  cacheControl: IncrementalSetContext['cacheControl'],
  cap: number,
): number {
  if (typeof cacheControl?.expire === 'number') return cacheControl.expire;
  if (value.kind === 'FETCH' && typeof value.revalidate === 'number' && value.revalidate > 0) {
    // A fetch past its revalidate time is still served while it is refreshed: keep it a while longer.
    return value.revalidate * 2;
  }
  return cap;
}

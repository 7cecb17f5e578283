/**
 * Cache entries in Redis: one key per entry (the hash of Next's cache key, so long keys made of
 * serialized arguments stay small and spread over Cluster slots), written with a time to live so Redis
 * memory stays bounded under `noeviction`. When Redis is not connected the store answers "unavailable"
 * at once instead of queueing: a page renders uncached rather than waiting for a dead cache. Node-only.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './types.js';

export class CacheUnavailableError extends Error {
  constructor() {
    super('the cache store is not connected');
    this.name = 'CacheUnavailableError';
  }
}

export interface StoredEntry<Meta> {
  meta: Meta;
  payload: Buffer;
}

export interface CacheCounters {
  hits: number;
  misses: number;
  sets: number;
  /** reads or writes that failed or were skipped because Redis was unreachable */
  unavailable: number;
}

export function emptyCounters(): CacheCounters {
  return { hits: 0, misses: 0, sets: 0, unavailable: 0 };
}

export class EntryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** No entry outlives this, whatever its cache life says ("never" included). */
    readonly maxTtlSeconds: number,
  ) {}

  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  keyOf(kind: string, cacheKey: string): string {
    return `${this.prefix}${kind}:${createHash('sha256').update(cacheKey).digest('base64url')}`;
  }

  async read<Meta>(kind: string, cacheKey: string): Promise<StoredEntry<Meta> | undefined> {
    if (!this.connected) throw new CacheUnavailableError();
    const raw = await this.redis.getBuffer(this.keyOf(kind, cacheKey));
    return raw ? decodeEntry<Meta>(raw) : undefined;
  }

  async write(kind: string, cacheKey: string, meta: unknown, payload: Buffer, ttlSeconds: number): Promise<void> {
    if (!this.connected) throw new CacheUnavailableError();
    const ttlMs = Math.round(Math.min(ttlSeconds, this.maxTtlSeconds) * 1000);
    if (!(ttlMs > 0)) return;
    await this.redis.set(this.keyOf(kind, cacheKey), encodeEntry(meta, payload), 'PX', ttlMs);
  }

  async remove(kind: string, cacheKey: string): Promise<void> {
    if (!this.connected) throw new CacheUnavailableError();
    await this.redis.del(this.keyOf(kind, cacheKey));
  }
}

/** [4-byte length of the metadata JSON][metadata JSON][payload bytes] */
export function encodeEntry(meta: unknown, payload: Buffer): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta));
  const header = Buffer.alloc(4);
  header.writeUInt32BE(metaBytes.length);
  return Buffer.concat([header, metaBytes, payload]);
}

export function decodeEntry<Meta>(raw: Buffer): StoredEntry<Meta> | undefined {
  if (raw.length < 4) return undefined;
  const metaLength = raw.readUInt32BE(0);
  if (4 + metaLength > raw.length) return undefined;
  try {
    const meta = JSON.parse(raw.subarray(4, 4 + metaLength).toString('utf8')) as Meta;
    return { meta, payload: raw.subarray(4 + metaLength) };
  } catch {
    return undefined;
  }
}

/** JSON that keeps the Buffers and Maps Next's cached pages and routes carry. */
export function serializeValue(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, converted: unknown) {
    const original = this[key];
    if (original instanceof Uint8Array)
      return { $binary: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') };
    if (original instanceof Map) return { $map: [...original.entries()] };
    return converted;
  });
}

export function deserializeValue<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (typeof record.$binary === 'string' && Object.keys(record).length === 1)
        return Buffer.from(record.$binary, 'base64');
      if (Array.isArray(record.$map) && Object.keys(record).length === 1)
        return new Map(record.$map as Array<[unknown, unknown]>);
    }
    return value;
  }) as T;
}

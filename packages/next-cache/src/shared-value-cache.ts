/**
 * `cached(key, ttlSeconds, compute)` for code outside React rendering: a JSON value shared by every
 * instance through Redis, computed once per expiry across all of them. Concurrent callers in one
 * process share one computation; across instances a short Redis lock picks the one that computes while
 * the others serve the previous value, or wait for the new one when there is none. When Redis is
 * unreachable the value is computed, uncached: the cache never turns into an outage. Node-only.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './types.js';

export interface SharedValueCacheOptions {
  prefix: string;
  /** How long one instance may hold the right to compute before another takes over. @default 30000 (ms) */
  lockMs?: number;
  /** How often a waiting caller looks for the value the computing instance writes. @default 25 (ms) */
  pollMs?: number;
}

export interface CachedOptions {
  /** How long past its freshness a value may still be served while one caller computes the next. @default the value's own ttl */
  staleSeconds?: number;
}

export interface SharedValueCounters {
  fresh: number;
  computed: number;
  servedStale: number;
  waited: number;
  uncached: number;
}

interface StoredValue {
  value: unknown;
  freshUntil: number;
}

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class SharedValueCache {
  readonly counters: SharedValueCounters = { fresh: 0, computed: 0, servedStale: 0, waited: 0, uncached: 0 };
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly lockMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly options: SharedValueCacheOptions,
  ) {
    this.lockMs = options.lockMs ?? 30_000;
    this.pollMs = options.pollMs ?? 25;
  }

  get<T>(key: string, ttlSeconds: number, compute: () => Promise<T>, options: CachedOptions = {}): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const work = this.resolve(key, ttlSeconds, compute, options).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async resolve<T>(
    key: string,
    ttlSeconds: number,
    compute: () => Promise<T>,
    options: CachedOptions,
  ): Promise<T> {
    const redis = this.redis;
    if (!redis || redis.status !== 'ready') {
      this.counters.uncached++;
      return compute();
    }
    const valueKey = `${this.options.prefix}value:${key}`;
    const lockKey = `${this.options.prefix}lock:${key}`;
    let previous: StoredValue | undefined;
    try {
      previous = await this.read(redis, valueKey);
      if (previous && previous.freshUntil > Date.now()) {
        this.counters.fresh++;
        return previous.value as T;
      }
      const deadline = Date.now() + this.lockMs;
      for (;;) {
        const token = randomUUID();
        if ((await redis.set(lockKey, token, 'PX', this.lockMs, 'NX')) === 'OK') {
          return await this.computeAndStore(redis, valueKey, lockKey, token, ttlSeconds, compute, options);
        }
        if (previous) {
          this.counters.servedStale++;
          return previous.value as T;
        }
        await new Promise((resolve) => setTimeout(resolve, this.pollMs));
        const written = await this.read(redis, valueKey);
        if (written && written.freshUntil > Date.now()) {
          this.counters.waited++;
          return written.value as T;
        }
        if (Date.now() > deadline) break;
      }
    } catch (error) {
      if (error instanceof ComputeError) throw error.cause;
      // Redis failed mid-way: answer from the computation itself.
    }
    this.counters.uncached++;
    return compute();
  }

  private async computeAndStore<T>(
    redis: RedisClient,
    valueKey: string,
    lockKey: string,
    token: string,
    ttlSeconds: number,
    compute: () => Promise<T>,
    options: CachedOptions,
  ): Promise<T> {
    let value: T;
    try {
      value = await compute();
    } catch (error) {
      await redis.eval(RELEASE_LOCK, 1, lockKey, token).catch(() => {});
      throw new ComputeError(error);
    }
    this.counters.computed++;
    const keepMs = Math.round((ttlSeconds + (options.staleSeconds ?? ttlSeconds)) * 1000);
    const stored: StoredValue = { value, freshUntil: Date.now() + ttlSeconds * 1000 };
    // The value is the caller's either way; a store that failed now only costs the next caller a miss.
    await redis.set(valueKey, JSON.stringify(stored), 'PX', Math.max(keepMs, 1)).catch(() => {});
    await redis.eval(RELEASE_LOCK, 1, lockKey, token).catch(() => {});
    return value;
  }

  private async read(redis: RedisClient, valueKey: string): Promise<StoredValue | undefined> {
    const raw = await redis.get(valueKey);
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as StoredValue;
      return typeof parsed.freshUntil === 'number' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The caller's own error, carried past the Redis fallback so it is not retried as a cache failure. */
class ComputeError extends Error {
  constructor(readonly cause: unknown) {
    super('compute failed');
  }
}

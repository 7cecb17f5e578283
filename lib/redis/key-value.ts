/**
 * The few key-value operations sessions and tokens need, on Redis or, for development without Redis, in
 * process memory with the same expiry semantics. Node-only.
 */
import type { RedisConnection } from './client';

export interface KeyValue {
  get(key: string): Promise<string | null>;
  setWithTtl(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the value and answers the one it replaced, atomically. */
  swap(key: string, value: string, ttlSeconds: number): Promise<string | null>;
  /** Reads and deletes atomically: of two concurrent callers, one gets the value. */
  take(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<void>;
  expire(key: string, ttlSeconds: number): Promise<void>;
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;
  removeFromSet(key: string, ...members: string[]): Promise<void>;
  members(key: string): Promise<string[]>;
}

export class RedisKeyValue implements KeyValue {
  constructor(readonly redis: RedisConnection) {}

  get(key: string) {
    return this.redis.get(key);
  }

  async setWithTtl(key: string, value: string, ttlSeconds: number) {
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async swap(key: string, value: string, ttlSeconds: number) {
    return (await this.redis.call('SET', key, value, 'EX', String(ttlSeconds), 'GET')) as string | null;
  }

  take(key: string) {
    return this.redis.getdel(key);
  }

  async del(...keys: string[]) {
    if (keys.length > 0) await this.redis.del(...keys);
  }

  async expire(key: string, ttlSeconds: number) {
    await this.redis.expire(key, ttlSeconds);
  }

  async addToSet(key: string, member: string, ttlSeconds: number) {
    await this.redis.multi().sadd(key, member).expire(key, ttlSeconds).exec();
  }

  async removeFromSet(key: string, ...members: string[]) {
    if (members.length > 0) await this.redis.srem(key, ...members);
  }

  members(key: string) {
    return this.redis.smembers(key);
  }
}

type Entry = { value: string | Set<string>; expiresAt: number };

export class MemoryKeyValue implements KeyValue {
  private readonly entries = new Map<string, Entry>();

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  // Every operation runs without awaiting in between, so concurrent callers cannot interleave.
  private read(key: string): string | null {
    const entry = this.live(key);
    return typeof entry?.value === 'string' ? entry.value : null;
  }

  async get(key: string) {
    return this.read(key);
  }

  async setWithTtl(key: string, value: string, ttlSeconds: number) {
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async swap(key: string, value: string, ttlSeconds: number) {
    const previous = this.read(key);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    return previous;
  }

  async take(key: string) {
    const value = this.read(key);
    this.entries.delete(key);
    return value;
  }

  async del(...keys: string[]) {
    for (const key of keys) this.entries.delete(key);
  }

  async expire(key: string, ttlSeconds: number) {
    const entry = this.live(key);
    if (entry) entry.expiresAt = Date.now() + ttlSeconds * 1000;
  }

  async addToSet(key: string, member: string, ttlSeconds: number) {
    const entry = this.live(key);
    const set = entry?.value instanceof Set ? entry.value : new Set<string>();
    set.add(member);
    this.entries.set(key, { value: set, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async removeFromSet(key: string, ...members: string[]) {
    const entry = this.live(key);
    if (entry?.value instanceof Set) for (const member of members) entry.value.delete(member);
  }

  async members(key: string) {
    const entry = this.live(key);
    return entry?.value instanceof Set ? [...entry.value] : [];
  }
}

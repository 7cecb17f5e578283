import type { RedisClient } from './types.js';

/**
 * The deny list, one Redis set shared by every instance. A value found on it is remembered by this process
 * for `cacheMs`, so a denied flood costs Redis nothing; removing a value takes effect at once here and
 * within `cacheMs` on other instances.
 */
export class DenyList {
  private readonly deniedUntil = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly cacheMs: number,
  ) {}

  /** Denies these identifiers, IPs, user agents or countries. */
  async add(...values: string[]): Promise<void> {
    if (values.length > 0) await this.redis.sadd(this.key, ...values);
  }

  async remove(...values: string[]): Promise<void> {
    for (const value of values) this.deniedUntil.delete(value);
    if (values.length > 0) await this.redis.srem(this.key, ...values);
  }

  async members(): Promise<string[]> {
    return (await this.redis.smembers(this.key)).sort();
  }

  /** @internal The first value this process already knows to be denied. */
  cachedDenial(values: string[]): string | undefined {
    const now = Date.now();
    return values.find((value) => (this.deniedUntil.get(value) ?? 0) > now);
  }

  /** @internal The first value on the list, asked of Redis. */
  async firstDenied(values: string[]): Promise<string | undefined> {
    if (values.length === 0) return undefined;
    const found = (await this.redis.smismember(this.key, ...values)) as number[];
    const index = found.findIndex((member) => member === 1);
    if (index < 0) return undefined;
    const value = values[index]!;
    if (this.deniedUntil.size > 10_000) this.deniedUntil.clear();
    this.deniedUntil.set(value, Date.now() + this.cacheMs);
    return value;
  }
}

import type { RedisClient } from './types.js';

const RESAMPLE_MS = 30_000;

/**
 * Redis's clock, sampled: every instance times its hits on one clock, so a process whose own clock runs
 * ahead does not keep hits in the window longer. A sample costs one TIME every 30 s per process; until the
 * first answer (or if TIME is refused) the local clock is used.
 */
export class RedisClock {
  private offsetMs = 0;
  private sampledAt = -Infinity;
  private sampling: Promise<void> | undefined;

  constructor(private readonly redis: RedisClient) {}

  /** Now on the shared clock, sampling Redis first when the last sample is old. */
  async now(): Promise<number> {
    if (Date.now() - this.sampledAt > RESAMPLE_MS)
      await (this.sampling ??= this.sample().finally(() => (this.sampling = undefined)));
    return this.peek();
  }

  /** Now on the shared clock, without asking Redis. */
  peek(): number {
    return Date.now() + this.offsetMs;
  }

  private async sample(): Promise<void> {
    const before = Date.now();
    try {
      const [seconds, micros] = (await this.redis.time()) as [string | number, string | number];
      const after = Date.now();
      this.offsetMs = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000) - Math.round((before + after) / 2);
    } catch {
      // Some managed Redis refuses TIME: local time is still a clock.
    }
    this.sampledAt = Date.now();
  }
}

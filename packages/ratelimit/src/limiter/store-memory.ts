/**
 * The in-process store: the same algorithms and all-or-nothing semantics as the Redis store, for unit
 * tests, for the fail-open fallback when Redis is unreachable, and for development without Redis. Checks
 * run synchronously inside one call, so concurrent callers cannot interleave. Bounded: expired entries
 * are swept as it goes and the oldest keys go first past `maxKeys`. Edge-safe.
 */
import type { CheckOutcome, LimitSpec, LimitState, RateLimitStore } from './types.js';

type Entry =
  | { kind: 'log'; hits: number[]; expiresAt: number }
  | { kind: 'counter'; window: number; current: number; previous: number; expiresAt: number };

export class MemoryStore implements RateLimitStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
    private readonly maxKeys = 100_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async check(specs: LimitSpec[]): Promise<CheckOutcome> {
    return this.checkNow(specs);
  }

  async refund(specs: LimitSpec[]): Promise<void> {
    const now = this.now();
    for (const spec of specs) {
      const entry = this.entries.get(spec.key);
      if (entry?.kind === 'log') entry.hits.splice(Math.max(entry.hits.length - spec.cost, 0));
      else if (entry?.kind === 'counter' && entry.window === Math.floor(now / spec.windowMs))
        entry.current = Math.max(entry.current - spec.cost, 0);
    }
  }

  async clear(specs: LimitSpec[]): Promise<void> {
    for (const spec of specs) this.entries.delete(spec.key);
  }

  checkNow(specs: LimitSpec[]): CheckOutcome {
    const now = this.now();
    const measured = specs.map((spec) => this.measure(spec, now));
    const allowed = measured.every((m) => m.fits);
    const limits = specs.map((spec, i): LimitState => {
      const m = measured[i]!;
      if (allowed && spec.cost > 0) m.record();
      return { name: spec.name, limit: spec.limit, windowMs: spec.windowMs, ...m.state() };
    });
    this.evictIfFull(now);
    return { allowed, limits };
  }

  private measure(spec: LimitSpec, now: number) {
    return spec.algorithm === 'sliding-log' ? this.measureLog(spec, now) : this.measureCounter(spec, now);
  }

  private measureLog(spec: LimitSpec, now: number) {
    const existing = this.entries.get(spec.key);
    const hits = existing?.kind === 'log' ? existing.hits.filter((t) => t > now - spec.windowMs) : [];
    const need = Math.max(spec.cost, 1);
    const fits = hits.length + need <= spec.limit;
    const store = () => this.entries.set(spec.key, { kind: 'log', hits, expiresAt: now + spec.windowMs });
    store();
    return {
      fits,
      record: () => {
        for (let c = 0; c < spec.cost; c++) hits.push(now);
        store();
      },
      state: () => {
        const remaining = Math.max(spec.limit - hits.length, 0);
        if (!fits) {
          const blocking = hits[Math.max(hits.length - spec.limit + need - 1, 0)];
          return { remaining, resetMs: blocking === undefined ? spec.windowMs : blocking + spec.windowMs - now };
        }
        // room left: the whole quota is back once the newest counted hit has left the window
        const newest = hits[hits.length - 1];
        return { remaining, resetMs: newest === undefined ? 0 : newest + spec.windowMs - now };
      },
    };
  }

  private measureCounter(spec: LimitSpec, now: number) {
    const window = spec.windowMs;
    const index = Math.floor(now / window);
    const elapsed = now - index * window;
    const existing = this.entries.get(spec.key);
    let current = 0;
    let previous = 0;
    if (existing?.kind === 'counter') {
      if (existing.window === index) ({ current, previous } = existing);
      else if (existing.window === index - 1) previous = existing.current;
    }
    const weight = (window - elapsed) / window;
    const need = Math.max(spec.cost, 1);
    const fits = previous * weight + current + need <= spec.limit;
    let reset = window - elapsed;
    if (!fits) {
      const room = spec.limit - need;
      if (current <= room && previous > 0) reset = window * (1 - (room - current) / previous) - elapsed;
      else if (room > 0 && current > 0) reset = window - elapsed + window * (1 - room / current);
      else reset = window - elapsed + window;
    }
    return {
      fits,
      record: () => {
        current += spec.cost;
        this.entries.set(spec.key, { kind: 'counter', window: index, current, previous, expiresAt: now + 2 * window });
      },
      state: () => ({
        remaining: Math.max(Math.floor(spec.limit - (previous * weight + current)), 0),
        resetMs: Math.max(reset, 0),
      }),
    };
  }

  private evictIfFull(now: number) {
    if (this.entries.size <= this.maxKeys) return;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
    // Maps iterate in insertion order: what is left to drop are the oldest keys.
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxKeys) break;
      this.entries.delete(key);
    }
  }
}

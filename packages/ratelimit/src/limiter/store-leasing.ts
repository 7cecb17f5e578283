/**
 * Counter leases: a process takes several hits of a sliding-window counter from the store in one check
 * and hands them out itself, so a burst costs Redis one round trip per lease instead of one per request.
 * Every leased hit is counted in the store when it is taken, so no instance admits more than the limit.
 * A lease is never more than the requests of this process already waiting for it (nor a tenth of what is
 * left, nor `maxLease`), so no leased hit is left unused while another instance is refused: a burst split
 * across instances gets exactly the limit. A process asks for one lease at a time per key, so a burst is
 * served from it rather than each request reserving its own. Only checks of one counter limit lease (the
 * `api` group); every other check goes to the store unchanged. Edge-safe.
 */
import type { CheckOutcome, LimitSpec, RateLimitStore } from './types.js';

interface Lease {
  /** The fixed window the leased hits were counted in. */
  window: number;
  unused: number;
  /** What the store said was left once every leased hit is used. */
  remainingAfter: number;
  resetAt: number;
}

export class LeasingStore implements RateLimitStore {
  private readonly leases = new Map<string, Lease>();
  private readonly inflight = new Map<string, Promise<CheckOutcome>>();
  /** Requests of this process waiting for a key's lease request in flight: what the next lease may serve. */
  private readonly waiting = new Map<string, number>();

  constructor(
    private readonly inner: RateLimitStore,
    private readonly maxLease = 10,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
    private readonly maxKeys = 10_000,
  ) {}

  async check(specs: LimitSpec[], hashTag: string): Promise<CheckOutcome> {
    const spec = specs[0];
    if (!spec || specs.length !== 1 || spec.algorithm !== 'sliding-counter' || this.maxLease <= 1) {
      return this.inner.check(specs, hashTag);
    }
    const id = leaseId(spec, hashTag);
    if (spec.cost === 0) {
      // a look: what the store has left, and what this process holds unused
      const outcome = await this.inner.check(specs, hashTag);
      const current = this.currentLease(id, spec);
      if (!current || current.unused === 0) return outcome;
      const state = outcome.limits[0]!;
      return { allowed: true, limits: [{ ...state, remaining: state.remaining + current.unused }] };
    }
    // One lease request per key at a time: a burst waits for it and is served from what it brings,
    // instead of every request reserving a lease of its own that the burst may not use.
    for (;;) {
      const current = this.currentLease(id, spec);
      if (current && current.unused >= spec.cost) {
        current.unused -= spec.cost;
        const resetMs = Math.max(current.resetAt - this.now(), 0);
        return {
          allowed: true,
          limits: [
            {
              name: spec.name,
              limit: spec.limit,
              windowMs: spec.windowMs,
              remaining: current.remainingAfter + current.unused,
              resetMs,
            },
          ],
        };
      }
      const pending = this.inflight.get(id);
      if (!pending) break;
      this.waiting.set(id, (this.waiting.get(id) ?? 0) + 1);
      try {
        await pending.catch(() => {});
      } finally {
        const left = (this.waiting.get(id) ?? 1) - 1;
        if (left > 0) this.waiting.set(id, left);
        else this.waiting.delete(id);
      }
    }
    const request = this.acquire(spec, specs, hashTag, id);
    this.inflight.set(id, request);
    try {
      return await request;
    } finally {
      if (this.inflight.get(id) === request) this.inflight.delete(id);
    }
  }

  private currentLease(id: string, spec: LimitSpec): Lease | undefined {
    const lease = this.leases.get(id);
    return lease && lease.window === Math.floor(this.now() / spec.windowMs) ? lease : undefined;
  }

  /** Asks the store for this request's hit and, when plenty is left, a tenth of it more for later ones. */
  private async acquire(spec: LimitSpec, specs: LimitSpec[], hashTag: string, id: string): Promise<CheckOutcome> {
    const now = this.now();
    const window = Math.floor(now / spec.windowMs);
    const known = this.currentLease(id, spec);
    const waiting = this.waiting.get(id) ?? 0;
    let hits = known
      ? Math.max(1, Math.min(this.maxLease, waiting + 1, Math.floor(known.remainingAfter / (10 * spec.cost))))
      : 1;
    let outcome = await this.inner.check([{ ...spec, cost: spec.cost * hits }], hashTag);
    if (!outcome.allowed && hits > 1) {
      // others took what this process thought was left: ask for this request's hit alone
      hits = 1;
      outcome = await this.inner.check(specs, hashTag);
    }
    if (!outcome.allowed) {
      this.leases.delete(id);
      return outcome;
    }
    const state = outcome.limits[0]!;
    const unused = spec.cost * (hits - 1);
    this.leases.delete(id);
    this.leases.set(id, { window, unused, remainingAfter: state.remaining, resetAt: now + state.resetMs });
    if (this.leases.size > this.maxKeys) this.leases.delete(this.leases.keys().next().value!);
    return { allowed: true, limits: [{ ...state, remaining: state.remaining + unused }] };
  }

  /** A refunded hit of a leased counter goes back into the lease, where this process uses it again. */
  async refund(specs: LimitSpec[], hashTag: string): Promise<void> {
    const spec = specs[0];
    const lease = spec && specs.length === 1 ? this.leases.get(leaseId(spec, hashTag)) : undefined;
    if (spec && lease && lease.window === Math.floor(this.now() / spec.windowMs)) {
      lease.unused += spec.cost;
      return;
    }
    await this.inner.refund(specs, hashTag);
  }

  async clear(specs: LimitSpec[], hashTag: string): Promise<void> {
    for (const spec of specs) this.leases.delete(leaseId(spec, hashTag));
    await this.inner.clear(specs, hashTag);
  }
}

function leaseId(spec: LimitSpec, hashTag: string): string {
  return `${hashTag}|${spec.key}|${spec.limit}|${spec.windowMs}`;
}

import { describe, expect, it } from 'vitest';
import { LeasingStore, MemoryStore, type CheckOutcome, type LimitSpec, type RateLimitStore } from '@/lib/rate-limit';

/** The shared store (Redis in production), counting the checks that reach it. */
class CountingStore implements RateLimitStore {
  checks = 0;
  constructor(readonly inner: MemoryStore) {}
  check(specs: LimitSpec[]): Promise<CheckOutcome> {
    this.checks += 1;
    return this.inner.check(specs);
  }
  refund(specs: LimitSpec[]) {
    return this.inner.refund(specs);
  }
  clear(specs: LimitSpec[]) {
    return this.inner.clear(specs);
  }
}

// One fixed instant inside a window: no window boundary cuts a test.
const clock = () => 1_800_000_000_000 + 1_000;
const api = (limit: number, cost = 1): LimitSpec => ({
  name: 'api',
  key: 'v1:api:ip:192.0.2.1',
  limit,
  windowMs: 60_000,
  algorithm: 'sliding-counter',
  cost,
});

function setup(instances = 1) {
  const shared = new CountingStore(new MemoryStore(clock));
  const stores = Array.from({ length: instances }, () => new LeasingStore(shared, 10, clock));
  return { shared, stores };
}

describe('counter leases', () => {
  it('answer a burst from the lease: exact remaining, a fraction of the store checks, nothing past the limit', async () => {
    const { shared, stores } = setup();
    const outcomes = await Promise.all(Array.from({ length: 130 }, () => stores[0]!.check([api(100)], 'tag')));
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(100);
    // every remaining count from 99 down to 0 is answered once, then only refusals
    const remaining = outcomes.filter((o) => o.allowed).map((o) => o.limits[0]!.remaining);
    expect([...remaining].sort((a, b) => b - a)).toEqual(Array.from({ length: 100 }, (_, i) => 99 - i));
    // 37 checks hand out the 100 hits (a tenth of what is left, single hits for the last ten); each refusal asks once
    expect(shared.checks).toBe(37 + 30);
    // a burst under a high limit: one store check per 10 requests
    const high = setup();
    await Promise.all(Array.from({ length: 1_000 }, () => high.stores[0]!.check([api(1_000_000)], 'tag')));
    expect(high.shared.checks).toBeLessThanOrEqual(1 + Math.ceil(999 / 10));
  });

  it('lease no more than the requests waiting for it: one client at a time costs a store check each, and strands nothing', async () => {
    const { shared, stores } = setup();
    for (let i = 0; i < 50; i++) expect((await stores[0]!.check([api(100)], 'tag')).allowed).toBe(true);
    expect(shared.checks).toBe(50);
    // nothing held back from another process: it gets exactly the other 50
    const other = new LeasingStore(shared, 10, clock);
    let allowed = 0;
    for (let i = 0; i < 60; i++) if ((await other.check([api(100)], 'tag')).allowed) allowed += 1;
    expect(allowed).toBe(50);
  });

  it('never let several processes admit more than the limit together, and lose nothing while traffic goes on', async () => {
    const { stores } = setup(3);
    let allowed = 0;
    for (let i = 0; i < 300; i++) if ((await stores[i % 3]!.check([api(100)], 'tag')).allowed) allowed += 1;
    expect(allowed).toBe(100);
  });

  it('serve a concurrent burst on two processes exactly: 100 of 150', async () => {
    const { shared, stores } = setup(2);
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => stores[i % 2]!.check([api(100)], 'tag')));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    // one lease request per process at a time: far fewer store checks than requests
    expect(shared.checks).toBeLessThan(100);
  });

  it('are single hits near the limit, so a small limit stays exact', async () => {
    const { shared, stores } = setup();
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await stores[0]!.check([api(3)], 'tag')).limits[0]!.remaining);
    expect(results).toEqual([2, 1, 0, 0, 0, 0]);
    expect(shared.checks).toBe(6);
  });

  it('count what a process holds unused when only looking, and take refunds back into the lease', async () => {
    const { stores } = setup();
    const store = stores[0]!;
    await store.check([api(100)], 'tag');
    await store.check([api(100)], 'tag'); // leases 9: one used, eight held
    expect((await store.check([api(100, 0)], 'tag')).limits[0]!.remaining).toBe(98);
    await store.refund([api(100)], 'tag');
    expect((await store.check([api(100, 0)], 'tag')).limits[0]!.remaining).toBe(99);
    await store.clear([api(100)], 'tag');
    expect((await store.check([api(100, 0)], 'tag')).limits[0]!.remaining).toBe(100);
  });

  it('leave checks of several limits, or of a sliding log, to the store', async () => {
    const { shared, stores } = setup();
    const log: LimitSpec = { ...api(100), algorithm: 'sliding-log', key: 'log' };
    for (let i = 0; i < 5; i++) await stores[0]!.check([log], 'tag');
    for (let i = 0; i < 5; i++) await stores[0]!.check([api(100), { ...api(100), key: 'other' }], 'tag');
    expect(shared.checks).toBe(10);
  });
});

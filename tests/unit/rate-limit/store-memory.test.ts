import { describe, expect, it } from 'vitest';
import { MemoryStore } from '@/lib/rate-limit';
import { logLimit, storeContract, uniqueKey } from '../../support/store-contract';

const shared = new MemoryStore();
storeContract('in-process store', () => [shared]);

describe('in-process store: bounded memory', () => {
  it('never holds more keys than its bound', async () => {
    const store = new MemoryStore(undefined, 100);
    for (let i = 0; i < 1_000; i++) await store.check([logLimit(uniqueKey('bound'), 5, 60_000)]);
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it('uses the clock it is given, so windows slide exactly', async () => {
    let now = 1_000_000;
    const store = new MemoryStore(() => now);
    const key = uniqueKey('clock');
    await store.check([logLimit(key, 2, 10_000)]);
    now += 4_000;
    await store.check([logLimit(key, 2, 10_000)]);
    const rejected = await store.check([logLimit(key, 2, 10_000)]);
    expect(rejected.limits[0]!.resetMs).toBe(6_000);
    now += 6_000;
    expect((await store.check([logLimit(key, 2, 10_000)])).allowed).toBe(true);
  });
});

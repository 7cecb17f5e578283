// The promises every rate-limit store keeps, run against the in-process store (unit) and real Redis
// (integration): the same file, so the two cannot drift apart.
import { describe, expect, it } from 'vitest';
import type { LimitSpec, RateLimitStore } from '@/lib/rate-limit';

let counter = 0;
export function uniqueKey(label: string): string {
  counter += 1;
  return `test:${label}:${process.pid}:${Date.now()}:${counter}`;
}

export function logLimit(key: string, limit: number, windowMs: number, name = 'test', cost = 1): LimitSpec {
  return { name, key, limit, windowMs, algorithm: 'sliding-log', cost };
}

export function counterLimit(key: string, limit: number, windowMs: number, name = 'test'): LimitSpec {
  return { name, key, limit, windowMs, algorithm: 'sliding-counter', cost: 1 };
}

export function storeContract(name: string, makeStores: () => RateLimitStore[], tag = 'contract') {
  const store = () => makeStores()[0]!;

  describe(`${name}: concurrency`, () => {
    it('lets exactly 5 of 200 concurrent attempts through a limit of 5', async () => {
      const key = uniqueKey('burst');
      const results = await Promise.all(
        Array.from({ length: 200 }, () => store().check([logLimit(key, 5, 60_000)], tag)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
    });

    it('lets exactly 5 of 200 through when the attempts are spread over every connection', async () => {
      const key = uniqueKey('spread');
      const stores = makeStores();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => stores[i % stores.length]!.check([logLimit(key, 5, 60_000)], tag)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
    });

    it('holds the sliding-window counter to its limit under concurrency too', async () => {
      const key = uniqueKey('counter-burst');
      const results = await Promise.all(
        Array.from({ length: 100 }, () => store().check([counterLimit(key, 10, 60_000)], tag)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
    });
  });

  describe(`${name}: all or nothing`, () => {
    it('consumes nothing from any limit when one limit rejects the request', async () => {
      const narrow = logLimit(uniqueKey('narrow'), 1, 60_000, 'narrow');
      const wide = logLimit(uniqueKey('wide'), 3, 60_000, 'wide');
      expect((await store().check([narrow, wide], tag)).allowed).toBe(true);
      for (let i = 0; i < 5; i++) expect((await store().check([narrow, wide], tag)).allowed).toBe(false);
      // the wide limit saw one hit only: two more fit, the third does not
      expect((await store().check([wide], tag)).allowed).toBe(true);
      expect((await store().check([wide], tag)).allowed).toBe(true);
      const last = await store().check([wide], tag);
      expect(last.allowed).toBe(false);
      expect(last.limits[0]).toMatchObject({ name: 'wide', remaining: 0 });
    });

    it('only looks at a limit checked with cost 0', async () => {
      const key = uniqueKey('peek');
      for (let i = 0; i < 3; i++)
        expect((await store().check([logLimit(key, 2, 60_000, 'peek', 0)], tag)).allowed).toBe(true);
      await store().check([logLimit(key, 2, 60_000)], tag);
      await store().check([logLimit(key, 2, 60_000)], tag);
      expect((await store().check([logLimit(key, 2, 60_000, 'peek', 0)], tag)).allowed).toBe(false);
    });
  });

  describe(`${name}: true numbers`, () => {
    it('counts remaining down to zero', async () => {
      const key = uniqueKey('remaining');
      const seen: number[] = [];
      for (let i = 0; i < 4; i++)
        seen.push((await store().check([logLimit(key, 3, 60_000)], tag)).limits[0]!.remaining);
      expect(seen).toEqual([2, 1, 0, 0]);
    });

    it('resets when the oldest counted hit leaves the window, to within 50 ms', async () => {
      const key = uniqueKey('reset');
      const windowMs = 2_000;
      const first = Date.now();
      await store().check([logLimit(key, 2, windowMs)], tag);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await store().check([logLimit(key, 2, windowMs)], tag);
      const rejected = await store().check([logLimit(key, 2, windowMs)], tag);
      const expected = first + windowMs - Date.now();
      expect(rejected.allowed).toBe(false);
      expect(Math.abs(rejected.limits[0]!.resetMs - expected)).toBeLessThan(50);
      // not the window length: the first hit is already 300 ms old
      expect(rejected.limits[0]!.resetMs).toBeLessThan(windowMs - 250);
    });

    it('lets the next request through once the reset has passed', async () => {
      const key = uniqueKey('after-reset');
      await store().check([logLimit(key, 1, 400)], tag);
      const rejected = await store().check([logLimit(key, 1, 400)], tag);
      expect(rejected.allowed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, rejected.limits[0]!.resetMs + 20));
      expect((await store().check([logLimit(key, 1, 400)], tag)).allowed).toBe(true);
    });

    it('weights the previous window in the sliding-window counter', async () => {
      const key = uniqueKey('weighted');
      // 2 s windows leave half a second of slack for a slow machine at each step below
      const windowMs = 2_000;
      // wait for the start of a fresh fixed window, so the test is not cut by a window boundary
      await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 5));
      for (let i = 0; i < 4; i++)
        expect((await store().check([counterLimit(key, 4, windowMs)], tag)).allowed).toBe(true);
      expect((await store().check([counterLimit(key, 4, windowMs)], tag)).allowed).toBe(false);
      // a quarter into the next window, 3/4 of the previous 4 hits still count: 3 + 1 fits, 3 + 2 does not
      await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + windowMs / 4));
      expect((await store().check([counterLimit(key, 4, windowMs)], tag)).allowed).toBe(true);
      const rejected = await store().check([counterLimit(key, 4, windowMs)], tag);
      expect(rejected.allowed).toBe(false);
      expect(rejected.limits[0]!.resetMs).toBeGreaterThan(0);
    });
  });

  describe(`${name}: clearing`, () => {
    it('forgets a cleared counter, both its windows', async () => {
      const spec = counterLimit(uniqueKey('clear-counter'), 1, 60_000);
      await store().check([spec], tag);
      expect((await store().check([spec], tag)).allowed).toBe(false);
      await store().clear([spec], tag);
      expect((await store().check([spec], tag)).allowed).toBe(true);
    });

    it('forgets a cleared key', async () => {
      const key = uniqueKey('clear');
      await store().check([logLimit(key, 1, 60_000)], tag);
      expect((await store().check([logLimit(key, 1, 60_000)], tag)).allowed).toBe(false);
      await store().clear([logLimit(key, 1, 60_000)], tag);
      expect((await store().check([logLimit(key, 1, 60_000)], tag)).allowed).toBe(true);
    });
  });

  describe(`${name}: refunds`, () => {
    it('gives back the newest hits of a sliding log and the current count of a counter, atomically for every limit', async () => {
      const log = logLimit(uniqueKey('refund-log'), 3, 60_000, 'log');
      const counter = counterLimit(uniqueKey('refund-counter'), 3, 60_000, 'counter');
      for (let i = 0; i < 3; i++) expect((await store().check([log, counter], tag)).allowed).toBe(true);
      expect((await store().check([log, counter], tag)).allowed).toBe(false);
      await store().refund([log, counter], tag);
      const after = await store().check(
        [
          { ...log, cost: 0 },
          { ...counter, cost: 0 },
        ],
        tag,
      );
      expect(after.allowed).toBe(true);
      expect(after.limits.map((l) => l.remaining)).toEqual([1, 1]);
      // a refund never counts below zero
      for (let i = 0; i < 5; i++) await store().refund([log, counter], tag);
      expect(
        (
          await store().check(
            [
              { ...log, cost: 0 },
              { ...counter, cost: 0 },
            ],
            tag,
          )
        ).limits.map((l) => l.remaining),
      ).toEqual([3, 3]);
    });
  });
}

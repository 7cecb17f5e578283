import { describe, expect, it, vi } from 'vitest';
import {
  MemoryStore,
  normalizeIp,
  RateLimiter,
  type CheckOutcome,
  type LimitSpec,
  type RateLimitStore,
  DEFAULT_POLICIES,
} from '@/lib/rate-limit';

/** Counts the calls that reach the store it wraps. */
class CountingStore implements RateLimitStore {
  calls = 0;
  constructor(private readonly inner: RateLimitStore) {}
  check(specs: LimitSpec[], tag: string): Promise<CheckOutcome> {
    this.calls += 1;
    return this.inner.check(specs, tag);
  }
  clear(specs: LimitSpec[], tag: string) {
    return this.inner.clear(specs, tag);
  }
  refund(specs: LimitSpec[], tag: string) {
    return this.inner.refund(specs, tag);
  }
}

/** A store whose server has gone away: every call hangs, as a check against a dead Redis can. */
const hangingStore: RateLimitStore = {
  check: () => new Promise(() => {}),
  clear: () => new Promise(() => {}),
  refund: () => new Promise(() => {}),
};

describe('limiter over a store', () => {
  it('checks every limit of the login group in one store call', async () => {
    const store = new CountingStore(new MemoryStore());
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store, log: () => {} });
    const decision = await limiter.limit({ group: 'login', ip: '203.0.113.1', email: 'a@example.com' });
    expect(store.calls).toBe(1);
    expect(decision.outcome.limits.map((l) => l.name)).toEqual(['login', 'login-ip']);
    expect(decision.headers['RateLimit-Policy']).toContain('"login";q=5;w=900');
  });

  it('answers a blocked client from the block cache until its reset, without calling the store', async () => {
    let now = 0;
    const store = new CountingStore(new MemoryStore(() => now));
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store, now: () => now, log: () => {} });
    const request = { group: 'register' as const, ip: '203.0.113.2' };
    for (let i = 0; i < 3; i++) expect((await limiter.limit(request)).allowed).toBe(true);
    const rejected = await limiter.limit(request);
    expect(rejected.status).toBe(429);
    const callsWhenBlocked = store.calls;
    for (let i = 0; i < 1_000; i++) {
      const flood = await limiter.limit(request);
      expect(flood.source).toBe('block-cache');
    }
    expect(store.calls).toBe(callsWhenBlocked);
    now += 3_600_000;
    expect((await limiter.limit(request)).allowed).toBe(true);
    expect(store.calls).toBe(callsWhenBlocked + 1);
  });

  it('limits an IPv6 client rotating through the /64s of its /48, and leaves IPv4 clients to their own limit', async () => {
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: new MemoryStore(),
      overrides: 'register=1/1h,register-48=3/1h',
      log: () => {},
    });
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++)
      statuses.push((await limiter.limit({ group: 'register', ip: normalizeIp(`2001:db8:7:${i}::1`) })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // another /48 is another site
    expect((await limiter.limit({ group: 'register', ip: normalizeIp('2001:db8:8:1::1') })).status).toBe(200);
    for (let i = 1; i <= 5; i++)
      expect((await limiter.limit({ group: 'register', ip: `198.51.100.${i}` })).status).toBe(200);
  });

  it('caps sign-ups across every address with the app-wide register budget', async () => {
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: new MemoryStore(),
      overrides: 'register-global=5/1h',
      log: () => {},
    });
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++)
      statuses.push((await limiter.limit({ group: 'register', ip: `203.0.113.${i}` })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await limiter.limit({ group: 'register', ip: '192.0.2.200' });
    expect(refused.outcome.limits.find((l) => l.name === 'register-global')?.remaining).toBe(0);
  });

  it("answers with Upstash's fields too: success, limit, remaining, reset (Unix ms) and a resolved pending", async () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: new MemoryStore(() => now),
      now: () => now,
      overrides: 'register=3/1h',
      log: () => {},
    });
    const request = { group: 'register' as const, ip: '203.0.113.50' };
    await limiter.limit(request);
    const second = await limiter.limit(request);
    expect(second).toMatchObject({ success: true, limit: 3, remaining: 1 });
    expect(second.reset).toBe(now + 3_600_000);
    await expect(second.pending).resolves.toBeUndefined();
    await limiter.limit(request);
    now += 60_000;
    const refused = await limiter.limit(request);
    expect(refused).toMatchObject({ success: false, allowed: false, limit: 3, remaining: 0 });
    // the first hit, made a minute ago, leaves the window 59 minutes from now
    expect(refused.reset).toBe(now + 59 * 60_000);
  });

  it('in shadow mode counts and reports what it would refuse, refuses nothing, and still counts the enforced rules', async () => {
    const observed: Array<{ status: number; shadowLimited: string[] }> = [];
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: new MemoryStore(),
      overrides: 'login-ip=2/15m',
      shadow: 'login-ip',
      observe: (decision) => observed.push({ status: decision.status, shadowLimited: decision.shadowLimited }),
      log: () => {},
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await limiter.limit({ group: 'login', ip: '198.51.100.60', email: 'ada@example.com' })).status);
    // login-ip (2) is only watched; login (5 per address and email) is enforced and counted throughout
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(observed.map((o) => o.shadowLimited)).toEqual([[], [], ['login-ip'], ['login-ip'], ['login-ip'], []]);
    const shadowed = await limiter.limit({ group: 'login', ip: '198.51.100.60', email: 'other@example.com' });
    expect(shadowed).toMatchObject({ allowed: true, status: 200, shadowLimited: ['login-ip'] });
    expect(shadowed.headers.RateLimit).toContain('"login-ip";r=0');
    expect(() => new RateLimiter({ policies: DEFAULT_POLICIES, store: new MemoryStore(), shadow: 'logn' })).toThrow(
      /shadow rules: no limit is named "logn"/,
    );
  });

  it('getRemaining reads without consuming; refund gives the last hit back, and unblocks a client it had blocked', async () => {
    const store = new CountingStore(new MemoryStore());
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store, overrides: 'register=2/1h', log: () => {} });
    const request = { group: 'register' as const, ip: '203.0.113.70' };
    for (let i = 0; i < 5; i++) expect((await limiter.getRemaining(request)).remaining).toBe(2);
    await limiter.limit(request);
    await limiter.limit(request);
    const peek = await limiter.getRemaining(request);
    expect(peek).toMatchObject({ allowed: false, remaining: 0 });
    expect((await limiter.limit(request)).status).toBe(429);
    await limiter.refund(request);
    expect((await limiter.getRemaining(request)).remaining).toBe(1);
    // the block cache held this client: the refund cleared it, so the store is asked and lets it through
    expect((await limiter.limit(request)).status).toBe(200);
    expect((await limiter.limit(request)).status).toBe(429);
  });

  it('keeps the block cache within its bound', async () => {
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: new MemoryStore(),
      blockCacheSize: 10,
      overrides: 'register=1/1h',
      log: () => {},
    });
    for (let i = 0; i < 50; i++) {
      await limiter.limit({ group: 'register', ip: `198.51.100.${i}` });
      await limiter.limit({ group: 'register', ip: `198.51.100.${i}` });
    }
    expect((limiter as unknown as { blocked: Map<string, unknown> }).blocked.size).toBeLessThanOrEqual(10);
  });

  it('counts failed logins per account across addresses, locks only the account check, and forgets them when cleared', async () => {
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: new MemoryStore(),
      overrides: 'login-account=3/1h',
      log: () => {},
    });
    const email = 'victim@example.com';
    for (let i = 0; i < 3; i++)
      await limiter.record('login-account', 'login-account', { ip: `198.51.100.${i}`, email });
    const account = { group: 'login-account' as const, ip: 'any', email };
    expect((await limiter.limit(account, { useBlockCache: false })).allowed).toBe(false);
    // looking consumes nothing, and the per-address login limits are not what locks
    expect((await limiter.limit({ group: 'login', ip: '192.0.2.99', email })).allowed).toBe(true);
    await limiter.clear('login-account', ['login-account'], { ip: 'any', email });
    expect((await limiter.limit(account, { useBlockCache: false })).allowed).toBe(true);
  });
});

describe('limiter when the store is unreachable', () => {
  it('answers fail-closed groups 503 with Retry-After within the timeout', async () => {
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store: hangingStore, timeoutMs: 100, log: () => {} });
    const started = performance.now();
    const decision = await limiter.limit({ group: 'login', ip: '203.0.113.3', email: 'a@example.com' });
    // the store never answers: without the deadline this would wait for the test's own timeout
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(decision).toMatchObject({ allowed: false, status: 503, source: 'unavailable' });
    expect(decision.headers['Retry-After']).toBe('5');
  });

  it('keeps serving fail-open groups from the in-process store, with the same limits', async () => {
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: hangingStore,
      timeoutMs: 50,
      overrides: 'api=3/1m',
      log: () => {},
    });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.limit({ group: 'api', ip: '203.0.113.4' }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(results[0]!.source).toBe('fallback');
  });

  it('logs a degraded episode once, reports it in health, and recovers by itself', async () => {
    const log = vi.fn();
    let down = true;
    const memory = new MemoryStore();
    const flaky: RateLimitStore = {
      check: (specs) => (down ? Promise.reject(new Error('connect ECONNREFUSED')) : memory.check(specs)),
      clear: (keys) => memory.clear(keys),
      refund: (specs) => memory.refund(specs),
    };
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store: flaky, log, probeIntervalMs: 0 });
    for (let i = 0; i < 5; i++) await limiter.limit({ group: 'api', ip: `203.0.113.${i}` });
    expect(log).toHaveBeenCalledTimes(1);
    expect(limiter.health()).toMatchObject({ degraded: true, lastError: 'connect ECONNREFUSED' });
    down = false;
    expect((await limiter.limit({ group: 'login', ip: '203.0.113.9', email: 'b@example.com' })).status).toBe(200);
    expect(limiter.health().degraded).toBe(false);
    expect(log).toHaveBeenCalledTimes(2);
    expect(log.mock.calls[1]![0]).toMatch(/reachable again/);
  });
});

describe('clearing after a successful login', () => {
  it("forgets only this account's block, and keeps other blocked clients off the store", async () => {
    const now = 0;
    const store = new CountingStore(new MemoryStore(() => now));
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store, now: () => now, log: () => {} });
    const victim = { group: 'login' as const, ip: '198.51.100.1', email: 'victim@example.com' };
    const attacker = { group: 'login' as const, ip: '198.51.100.2', email: 'target@example.com' };
    for (let i = 0; i < 6; i++) {
      await limiter.limit(victim);
      await limiter.limit(attacker);
    }
    await limiter.clear('login', ['login', 'login-account'], victim);
    const calls = store.calls;
    expect((await limiter.limit(attacker)).source).toBe('block-cache');
    expect(store.calls).toBe(calls);
    expect((await limiter.limit(victim)).allowed).toBe(true);
  });
});

/** A store that answers from memory until it is switched off, then refuses every connection. */
function switchableStore() {
  const memory = new MemoryStore();
  const state = { down: false, calls: 0 };
  const store: RateLimitStore = {
    check: (specs) => {
      state.calls++;
      return state.down ? Promise.reject(new Error('connect ECONNREFUSED')) : memory.check(specs);
    },
    clear: (specs) => memory.clear(specs),
    refund: (specs) => memory.refund(specs),
  };
  return { store, state };
}

describe('failing open only when the store is down', () => {
  it('a fallback that starts from what this process already let through: 60 allowed by the store, then at most 40 more', async () => {
    const { store, state } = switchableStore();
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store, overrides: 'api=100/1m', log: () => {} });
    for (let i = 0; i < 60; i++)
      expect((await limiter.limit({ group: 'api', ip: '203.0.113.50' })).source).toBe('store');
    state.down = true;
    const after = await Promise.all(
      Array.from({ length: 150 }, () => limiter.limit({ group: 'api', ip: '203.0.113.50' })),
    );
    expect(after.filter((d) => d.allowed)).toHaveLength(40);
    expect(after.every((d) => d.source === 'fallback' || d.source === 'block-cache')).toBe(true);
  });

  it('opens the circuit on a connection error: later checks do not wait on the store until a probe succeeds', async () => {
    const { store, state } = switchableStore();
    let now = 0;
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store,
      now: () => now,
      probeIntervalMs: 1_000,
      log: () => {},
    });
    state.down = true;
    expect((await limiter.limit({ group: 'login', ip: '203.0.113.51', email: 'a@example.com' })).status).toBe(503);
    const callsWhenOpen = state.calls;
    for (let i = 0; i < 20; i++)
      expect((await limiter.limit({ group: 'login', ip: `203.0.113.${60 + i}`, email: 'a@example.com' })).source).toBe(
        'unavailable',
      );
    expect(state.calls).toBe(callsWhenOpen);
    state.down = false;
    now += 1_000;
    expect((await limiter.limit({ group: 'login', ip: '203.0.113.52', email: 'a@example.com' })).source).toBe('store');
    expect(limiter.health().degraded).toBe(false);
  });

  it('a single late answer of a fail-closed group is asked again, not refused with 503', async () => {
    const memory = new MemoryStore();
    let late = 1;
    const store: RateLimitStore = {
      check: (specs) => (late-- > 0 ? new Promise(() => {}) : memory.check(specs)),
      clear: (specs) => memory.clear(specs),
      refund: (specs) => memory.refund(specs),
    };
    const limiter = new RateLimiter({ policies: DEFAULT_POLICIES, store, timeoutMs: 30, log: () => {} });
    const decision = await limiter.limit({ group: 'login', ip: '203.0.113.53', email: 'b@example.com' });
    expect(decision).toMatchObject({ allowed: true, status: 200, source: 'store' });
    expect(limiter.health().degraded).toBe(false);
  });
});

describe('overload shed on purpose', () => {
  it("sheds the flooding client's checks with 503 and Retry-After, while another client's check gets its real answer", async () => {
    const memory = new MemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // a store with a queue: nothing is answered until the gate opens
    const store: RateLimitStore = {
      check: async (specs) => {
        await gate;
        return memory.check(specs);
      },
      clear: (specs) => memory.clear(specs),
      refund: (specs) => memory.refund(specs),
    };
    const limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store,
      timeoutMs: 5_000,
      shedding: { inFlight: 40, perClient: 30 },
      overrides: 'api=1000/1m',
      log: () => {},
    });
    const flood = Array.from({ length: 100 }, () => limiter.limit({ group: 'api', ip: '203.0.113.70' }));
    const other = limiter.limit({ group: 'login', ip: '203.0.113.71', email: 'c@example.com' });
    release();
    const decisions = await Promise.all(flood);
    // 40 checks waiting on the store (the threshold), all of one client: the other 60 are shed at once
    const shed = decisions.filter((d) => d.source === 'shed');
    expect(shed.length).toBe(60);
    expect(shed[0]).toMatchObject({ status: 503, retryAfterSeconds: 1, headers: { 'Retry-After': '1' } });
    expect(decisions.filter((d) => d.allowed)).toHaveLength(40);
    expect(await other).toMatchObject({ allowed: true, source: 'store' });
  });
});

/**
 * The rate limiter: turns a request's route group and identities into one store check, and decides what
 * the client gets (allowed, 429, or 503). It guarantees:
 * - one store call per check, all limits of the group together, a rejected request keeping nothing;
 * - a client already over its limit is answered from a bounded in-process block cache until its reset,
 *   so a flood from one client does not reach Redis;
 * - it fails open (or closed) only when the store is down, never because our own process is busy: each
 *   store round trip has a deadline of `timeoutMs` that measures the store's answer, not our event loop
 *   (store-guard.ts), and a circuit opens on a connection error or repeated real timeouts and closes on a
 *   successful probe. While it is open, fail-closed groups answer 503 with Retry-After and fail-open groups
 *   are served by an in-process store that has counted this process's allowed hits all along, so it never
 *   admits what the store would have refused; a single late answer of a fail-closed group is asked again
 *   rather than refused. The degraded episode is logged once and recovery is automatic;
 * - overload is shed on purpose: when more than `shedding.inFlight` checks wait on the store, a client with
 *   more than `shedding.perClient` of them waiting gets 503 with Retry-After at once, so the client that
 *   floods is the one refused, and other clients' checks keep their real answers.
 * Edge-safe: the Redis store is passed in by Node-only code.
 */
import { MemoryStore } from './store-memory.js';
import { StoreGuard } from './store-guard.js';
import { LeasingStore } from './store-leasing.js';
import { DeadlineError } from './deadline.js';
import { ipv6Prefix48 } from './client-ip.js';
import {
  applyOverrides,
  shadowRuleNames,
  type Identity,
  type LimitRule,
  type Policy,
  type PolicyTable,
} from './policies.js';
import { blockingResetMs, rateLimitHeaders, retryAfterSeconds } from './headers.js';
import type { CheckOutcome, LimitSpec, RateLimitStore } from './types.js';

export interface RateLimitRequest<G extends string = string> {
  group: G;
  ip: string;
  email?: string;
  userId?: string;
  /**
   * 'account' checks only the limits keyed by account (email or user), for a server action whose request
   * already had its per-IP limits applied by middleware, so no hit is counted twice. Default 'all'.
   */
  scope?: 'all' | 'account';
}

export type DecisionSource = 'store' | 'fallback' | 'block-cache' | 'unavailable' | 'shed';

export interface RateLimitDecision<G extends string = string> {
  /** Upstash's name for `allowed`, with its other fields below: code written for @upstash/ratelimit reads these. */
  success: boolean;
  /** The limit of the tightest rule: the one that refused, or the one with the fewest hits left. */
  limit: number;
  remaining: number;
  /** Unix time in milliseconds when that rule has room again. */
  reset: number;
  /** Nothing runs after the check: always resolved (Upstash uses it for analytics writes). */
  pending: Promise<unknown>;
  /** Rules in shadow mode (RATE_LIMITS_SHADOW) that would have refused this request; it was allowed. */
  shadowLimited: string[];
  allowed: boolean;
  /** 200 when allowed, 429 over the limit, 503 when the store is down for a fail-closed group or the check was shed. */
  status: 200 | 429 | 503;
  group: G;
  outcome: CheckOutcome;
  headers: Record<string, string>;
  retryAfterSeconds: number;
  source: DecisionSource;
}

export interface LimiterHealth {
  degraded: boolean;
  since: number | null;
  lastError: string | null;
}

export interface LimiterOptions<G extends string = string> {
  store: RateLimitStore;
  /** The caller's groups and their limits (`Policy`): all limits of a group are checked at once. */
  policies: PolicyTable<G>;
  /** Serves fail-open groups while the store is down; counts their allowed hits all the time. @default a new MemoryStore */
  fallback?: MemoryStore;
  /** "name=limit/window" overrides of the table's rules, e.g. "login=10/15m,api=300/1m". @default none */
  overrides?: string;
  /** How long one store round trip may take (measured as store-guard.ts says). @default 250 (ms) */
  timeoutMs?: number;
  /** While the store is down, how often one check probes it. @default 1000 (ms) */
  probeIntervalMs?: number;
  /**
   * Hits of a one-limit counter check (the api group) this process may take from the store at once and
   * hand out itself (store-leasing.ts). @default 1 (no leasing)
   */
  counterLeases?: number;
  /**
   * When to shed: more than `inFlight` checks waiting on the store, `perClient` of them one client's.
   * @default { inFlight: 256, perClient: 64 }
   */
  shedding?: { inFlight: number; perClient: number };
  /** Identifiers remembered as refused until their reset, answered without the store. @default 10000 */
  blockCacheSize?: number;
  /** Seconds a fail-closed group asks clients to wait while the store is unreachable. @default 5 */
  unavailableRetryAfter?: number;
  /** The clock, in ms since the epoch (tests move it). @default Date.now */
  now?: () => number;
  /** Where the circuit's one-line notes go. @default console.warn */
  log?: (message: string) => void;
  /** Rule names, comma-separated, that count and report but refuse nothing. @default none */
  shadow?: string;
  /** Called after every decision, e.g. to count it in metrics. @default none */
  observe?: (decision: RateLimitDecision<G>, durationMs: number) => void;
  /** First part of every limit's key (after the store's prefix): change it to start every count afresh. @default "v1" */
  namespace?: string;
}

export class RateLimiter<G extends string = string> {
  readonly policies: PolicyTable<G>;
  private readonly namespace: string;
  private readonly guard: StoreGuard;
  private readonly store: RateLimitStore;
  private readonly fallback: MemoryStore;
  private readonly blockCacheSize: number;
  private readonly shedding: { inFlight: number; perClient: number };
  private readonly waiting = new Map<string, number>();
  private waitingTotal = 0;
  private readonly unavailableRetryAfter: number;
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  private readonly shadow: Set<string>;
  private readonly observe: ((decision: RateLimitDecision<G>, durationMs: number) => void) | undefined;
  private readonly blocked = new Map<string, { at: number; until: number; outcome: CheckOutcome }>();
  private degradedSince: number | null = null;

  constructor(options: LimiterOptions<G>) {
    if (!options?.policies || Object.keys(options.policies).length === 0) {
      throw new TypeError(
        'RateLimiter: pass `policies`, your table of groups and their limits, e.g. { api: { group: "api", onStoreFailure: "open", rules: [...] } }',
      );
    }
    this.policies = applyOverrides(options.policies, options.overrides);
    this.namespace = options.namespace ?? 'v1';
    this.fallback = options.fallback ?? new MemoryStore();
    this.blockCacheSize = options.blockCacheSize ?? 10_000;
    this.unavailableRetryAfter = options.unavailableRetryAfter ?? 5;
    this.now = options.now ?? (() => Date.now());
    this.log = options.log ?? ((message) => console.warn(message));
    this.shadow = shadowRuleNames(options.shadow, this.policies);
    this.observe = options.observe;
    this.shedding = options.shedding ?? { inFlight: 256, perClient: 64 };
    this.guard = new StoreGuard(options.store, {
      timeoutMs: options.timeoutMs,
      probeIntervalMs: options.probeIntervalMs,
      now: this.now,
      onChange: (open, reason) => this.reportCircuit(open, reason),
    });
    const leases = options.counterLeases ?? 1;
    this.store = leases > 1 ? new LeasingStore(this.guard, leases) : this.guard;
  }

  private policyOf(group: G): Policy<G> {
    const policy = this.policies[group];
    if (!policy)
      throw new Error(
        `RateLimiter: no group named "${group}" in the policy table (known: ${Object.keys(this.policies).join(', ')})`,
      );
    return policy;
  }

  health(): LimiterHealth {
    const { open, since, lastError } = this.guard.health();
    return { degraded: open, since, lastError };
  }

  /**
   * Checks and consumes one hit of every limit of the request's group. `useBlockCache: false` asks the
   * store every time, for state that another instance may clear (an account unlocked elsewhere).
   */
  async limit(request: RateLimitRequest<G>, options: { useBlockCache?: boolean } = {}): Promise<RateLimitDecision<G>> {
    const policy = this.policyOf(request.group);
    const rules = rulesInScope(policy, request);
    const specs = await this.specsFor(rules, request, (rule) => rule.cost ?? 1);
    if (specs.length === 0) return this.decision(policy, { allowed: true, limits: [] }, 'store');
    return this.decide(policy, specs, options);
  }

  /** What a check of the request would answer, consuming nothing (Upstash's getRemaining). */
  async getRemaining(request: RateLimitRequest<G>): Promise<RateLimitDecision<G>> {
    const policy = this.policyOf(request.group);
    const rules = rulesInScope(policy, request);
    const specs = await this.specsFor(rules, request, () => 0);
    if (specs.length === 0) return this.decision(policy, { allowed: true, limits: [] }, 'store');
    return this.decide(policy, specs, { useBlockCache: false });
  }

  /**
   * Gives back the hit a check of the request consumed, e.g. when the request then failed for a reason
   * of ours. Best effort: an unreachable store keeps the hit.
   */
  async refund(request: RateLimitRequest<G>): Promise<void> {
    const policy = this.policyOf(request.group);
    const rules = rulesInScope(policy, request);
    const specs = await this.specsFor(rules, request, (rule) => rule.cost ?? 1);
    const cacheKey = blockCacheKey(policy, specs);
    this.blocked.delete(cacheKey);
    await Promise.all([this.store.refund(specs, hashTag(policy, specs)).catch(() => {}), this.fallback.refund(specs)]);
  }

  /** One hit of a single named limit, for counters recorded after the fact (e.g. a failed login). */
  async record(group: G, ruleName: string, request: Omit<RateLimitRequest<G>, 'group'>): Promise<RateLimitDecision<G>> {
    const policy = this.policyOf(group);
    const rule = policy.rules.find((r) => r.name === ruleName);
    if (!rule) throw new Error(`no limit named ${ruleName} in group ${group}`);
    const specs = await this.specsFor([rule], { ...request, group }, () => 1);
    return this.decide(policy, specs, { useBlockCache: false });
  }

  /** Forgets the named limits of these identities (e.g. failed logins after a successful one). */
  async clear(group: G, ruleNames: string[], request: Omit<RateLimitRequest<G>, 'group'>): Promise<void> {
    const policy = this.policyOf(group);
    const rules = policy.rules.filter((r) => ruleNames.includes(r.name));
    const specs = await this.specsFor(rules, { ...request, group }, () => 0);
    const keys = specs.map((s) => s.key);
    const tag = hashTag(policy, specs);
    // Only the cached blocks that involve these keys: other clients of the group stay blocked in memory.
    for (const [cacheKey] of this.blocked)
      if (keys.some((key) => cacheKey.split('|').includes(key))) this.blocked.delete(cacheKey);
    await Promise.all([this.store.clear(specs, tag).catch(() => {}), this.fallback.clear(specs)]);
  }

  /** A one-off limit outside the policy table, e.g. for a custom endpoint. */
  async limitCustom(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision<G>> {
    const rule: LimitRule = {
      name: 'custom',
      limit,
      windowMs: windowSeconds * 1000,
      algorithm: 'sliding-log',
      identity: 'ip',
    };
    const policy: Policy<G> = { group: 'custom' as G, onStoreFailure: 'closed', rules: [rule] };
    const spec: LimitSpec = { ...rule, key: `${this.namespace}:custom:${await digest(key)}`, cost: 1 };
    return this.decide(policy, [spec]);
  }

  private async decide(
    policy: Policy<G>,
    specs: LimitSpec[],
    options: { useBlockCache?: boolean } = {},
  ): Promise<RateLimitDecision<G>> {
    const started = performance.now();
    const decision = await this.decideOnce(policy, specs, options);
    this.observe?.(decision, performance.now() - started);
    return decision;
  }

  private async decideOnce(
    policy: Policy<G>,
    specs: LimitSpec[],
    options: { useBlockCache?: boolean } = {},
  ): Promise<RateLimitDecision<G>> {
    const useBlockCache = options.useBlockCache ?? true;
    const cacheKey = blockCacheKey(policy, specs);
    const now = this.now();
    if (useBlockCache) {
      const cached = this.blocked.get(cacheKey);
      if (cached && cached.until > now) {
        const elapsed = now - cached.at;
        const limits = cached.outcome.limits.map((l) => ({ ...l, resetMs: Math.max(l.resetMs - elapsed, 0) }));
        return this.decision(policy, { allowed: false, limits }, 'block-cache');
      }
      if (cached) this.blocked.delete(cacheKey);
    }

    if (this.isFlooding(cacheKey)) return this.unavailable(policy, specs, 1, 'shed');

    let outcome: CheckOutcome;
    let shadowLimited: string[] = [];
    let source: DecisionSource = 'store';
    this.waiting.set(cacheKey, (this.waiting.get(cacheKey) ?? 0) + 1);
    this.waitingTotal++;
    try {
      ({ outcome, shadowLimited } = await this.enforced(specs, (subset) => this.checkStore(policy, subset)));
      // Counted here too, so that a switch to the fallback starts from what this process already let through.
      if (policy.onStoreFailure === 'open' && outcome.allowed) this.fallback.checkNow(specs);
    } catch {
      if (policy.onStoreFailure === 'closed')
        return this.unavailable(policy, specs, this.unavailableRetryAfter, 'unavailable');
      ({ outcome, shadowLimited } = await this.enforced(specs, (subset) => this.fallback.check(subset)));
      source = 'fallback';
    } finally {
      this.waitingTotal--;
      const left = (this.waiting.get(cacheKey) ?? 1) - 1;
      if (left > 0) this.waiting.set(cacheKey, left);
      else this.waiting.delete(cacheKey);
    }

    if (!outcome.allowed && useBlockCache) this.remember(cacheKey, now, outcome);
    return this.decision(policy, outcome, source, shadowLimited);
  }

  /**
   * The check, with shadow rules counted but not enforced: when only shadow rules refuse, the request is
   * checked again without them (so the enforced rules record it) and allowed.
   */
  private async enforced(
    specs: LimitSpec[],
    check: (specs: LimitSpec[]) => Promise<CheckOutcome>,
  ): Promise<{ outcome: CheckOutcome; shadowLimited: string[] }> {
    const outcome = await check(specs);
    if (outcome.allowed || this.shadow.size === 0) return { outcome, shadowLimited: [] };
    const refusing = outcome.limits.filter((l) => l.remaining === 0).map((l) => l.name);
    if (refusing.length === 0 || !refusing.every((name) => this.shadow.has(name)))
      return { outcome, shadowLimited: [] };
    const enforcedSpecs = specs.filter((spec) => !this.shadow.has(spec.name));
    const rechecked = enforcedSpecs.length > 0 ? await check(enforcedSpecs) : { allowed: true, limits: [] };
    const limits = [...rechecked.limits, ...outcome.limits.filter((l) => this.shadow.has(l.name))];
    return { outcome: { allowed: rechecked.allowed, limits }, shadowLimited: rechecked.allowed ? refusing : [] };
  }

  private decision(
    policy: Policy<G>,
    outcome: CheckOutcome,
    source: DecisionSource,
    shadowLimited: string[] = [],
  ): RateLimitDecision<G> {
    return {
      ...upstashFields(outcome, this.now()),
      shadowLimited,
      allowed: outcome.allowed,
      status: outcome.allowed ? 200 : 429,
      group: policy.group,
      outcome,
      headers: rateLimitHeaders(outcome),
      retryAfterSeconds: outcome.allowed ? 0 : retryAfterSeconds(outcome),
      source,
    };
  }

  private remember(cacheKey: string, now: number, outcome: CheckOutcome) {
    // No check of these identities can pass before the blocking hit leaves its window.
    this.blocked.delete(cacheKey);
    this.blocked.set(cacheKey, { at: now, until: now + blockingResetMs(outcome), outcome });
    while (this.blocked.size > this.blockCacheSize) {
      const oldest = this.blocked.keys().next().value;
      if (oldest === undefined) break;
      this.blocked.delete(oldest);
    }
  }

  private async specsFor(
    rules: LimitRule[],
    request: RateLimitRequest<G>,
    costOf: (rule: LimitRule) => number,
  ): Promise<LimitSpec[]> {
    const specs: LimitSpec[] = [];
    for (const rule of rules) {
      const identity = await identityOf(rule.identity, request);
      if (identity === null) continue;
      specs.push({
        name: rule.name,
        key: `${this.namespace}:${rule.name}:${identity}`,
        limit: rule.limit,
        windowMs: rule.windowMs,
        algorithm: rule.algorithm,
        cost: costOf(rule),
      });
    }
    return specs;
  }

  /**
   * One store check. A fail-closed group answers 503 only while the circuit is open: a single late answer
   * (the circuit still closed) is asked once more, which can count a hit twice (refusing early), never
   * admit one more.
   */
  private async checkStore(policy: Policy<G>, specs: LimitSpec[]): Promise<CheckOutcome> {
    const tag = hashTag(policy, specs);
    try {
      return await this.store.check(specs, tag);
    } catch (error) {
      if (policy.onStoreFailure === 'closed' && error instanceof DeadlineError && !this.guard.isOpen)
        return this.store.check(specs, tag);
      throw error;
    }
  }

  /** Whether this check should be shed: the store has a queue, and this client is most of it. */
  private isFlooding(cacheKey: string): boolean {
    return this.waitingTotal >= this.shedding.inFlight && (this.waiting.get(cacheKey) ?? 0) >= this.shedding.perClient;
  }

  private unavailable(
    policy: Policy<G>,
    specs: LimitSpec[],
    retryAfter: number,
    source: 'unavailable' | 'shed',
  ): RateLimitDecision<G> {
    const limits = specs.map((s) => ({
      name: s.name,
      limit: s.limit,
      windowMs: s.windowMs,
      remaining: 0,
      resetMs: retryAfter * 1000,
    }));
    return {
      ...upstashFields({ allowed: false, limits }, this.now()),
      shadowLimited: [],
      allowed: false,
      status: 503,
      group: policy.group,
      outcome: { allowed: false, limits },
      headers: { 'Retry-After': String(retryAfter) },
      retryAfterSeconds: retryAfter,
      source,
    };
  }

  private reportCircuit(open: boolean, reason: string) {
    if (open) {
      this.degradedSince = this.now();
      const groups = (mode: Policy['onStoreFailure']) =>
        (Object.values(this.policies) as Policy<G>[])
          .filter((policy) => policy.onStoreFailure === mode)
          .map((policy) => policy.group)
          .join(', ') || 'none';
      this.log(
        `[rate-limit] store unreachable (${reason}): fail-closed groups (${groups('closed')}) answer 503; fail-open groups (${groups('open')}) are limited in-process until it is back`,
      );
    } else {
      this.log(
        `[rate-limit] store reachable again after ${Math.round((this.now() - (this.degradedSince ?? this.now())) / 1000)} s`,
      );
      this.degradedSince = null;
    }
  }
}

/** 'account' scope leaves out the per-IP rules middleware already applied to this request. */
function rulesInScope(policy: Policy, request: RateLimitRequest): LimitRule[] {
  return request.scope === 'account' ? policy.rules.filter((rule) => rule.identity !== 'ip') : policy.rules;
}

function blockCacheKey(policy: Policy, specs: LimitSpec[]): string {
  return `${policy.group}|${specs.map((s) => s.key).join('|')}`;
}

const RESOLVED = Promise.resolve();

/** Upstash's result fields, from the tightest limit of the outcome. */
function upstashFields(
  outcome: CheckOutcome,
  now: number,
): Pick<RateLimitDecision, 'success' | 'limit' | 'remaining' | 'reset' | 'pending'> {
  let tightest = outcome.limits[0];
  for (const state of outcome.limits) {
    if (
      !tightest ||
      state.remaining < tightest.remaining ||
      (state.remaining === tightest.remaining && state.resetMs > tightest.resetMs)
    )
      tightest = state;
  }
  return {
    success: outcome.allowed,
    limit: tightest?.limit ?? 0,
    remaining: tightest?.remaining ?? 0,
    reset: now + (tightest?.resetMs ?? 0),
    pending: RESOLVED,
  };
}

/**
 * Every key of one check shares this tag, so a Redis Cluster keeps them in one slot. A group with several
 * limits (whose identities differ, e.g. IP and email) keeps all its keys in the group's slot; a group with
 * one limit spreads its keys by identity.
 */
function hashTag(policy: Policy, specs: LimitSpec[]): string {
  return policy.rules.length === 1 && specs[0] ? specs[0].key : policy.group;
}

async function identityOf(identity: Identity, request: RateLimitRequest): Promise<string | null> {
  const email = request.email?.trim().toLowerCase();
  switch (identity) {
    case 'ip':
      return `ip:${request.ip}`;
    case 'ip48': {
      const prefix = ipv6Prefix48(request.ip);
      return prefix ? `ip48:${prefix}` : null;
    }
    case 'global':
      return 'all';
    case 'email':
      return email ? `email:${await digest(email)}` : null;
    case 'ip+email':
      return email ? `ip:${request.ip}:email:${await digest(email)}` : null;
    case 'user':
      return request.userId ? `user:${request.userId}` : `ip:${request.ip}`;
    case 'user-or-ip':
      return request.userId ? `user:${request.userId}` : `ip:${request.ip}`;
  }
}

/** Emails never appear in Redis keys: a short SHA-256 stands for them. */
async function digest(value: string): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value)));
  let hex = '';
  for (const b of bytes.subarray(0, 12)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

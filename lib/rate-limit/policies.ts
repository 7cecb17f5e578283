/**
 * Every rate limit in one table, by route group. A check of a group evaluates all its limits at once.
 * Limits on one account or one address+account use the exact sliding log; wide per-address, per-/48 and
 * app-wide budgets, and `api`, use the O(1) sliding-window counter (cheaper for Redis; within 2× of exact
 * only for a burst straddling two windows). Auth groups fail closed; `api` fails open onto the in-process
 * store. Limits can be overridden with RATE_LIMITS, e.g. "login=10/15m,api=300/1m".
 * Edge-safe.
 */
import type { Algorithm } from './types';

export const ROUTE_GROUPS = ['login', 'login-account', 'register', 'password-reset', 'reset-password', 'change-password', 'api', 'uploads', 'session'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

/** Who a limit counts: the identity its key is built from. */
export type Identity = 'ip' | 'ip48' | 'email' | 'ip+email' | 'user' | 'user-or-ip' | 'global';

export interface LimitRule {
  name: string;
  limit: number;
  windowMs: number;
  algorithm: Algorithm;
  identity: Identity;
  /** Hits a check of the group consumes; 0 only looks (the limit is fed by `record`). Default 1. */
  cost?: number;
}

export interface Policy {
  group: RouteGroup;
  /** closed: answer 503 when Redis is unreachable. open: keep serving from the in-process store. */
  onStoreFailure: 'closed' | 'open';
  rules: LimitRule[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_POLICIES: Record<RouteGroup, Policy> = {
  login: {
    group: 'login',
    onStoreFailure: 'closed',
    rules: [
      { name: 'login', limit: 5, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'ip+email' },
      { name: 'login-ip', limit: 30, windowMs: 15 * MINUTE, algorithm: 'sliding-counter', identity: 'ip' },
      // An IPv6 client rotating through the /64s of its /48 (one site's allocation) meets this one.
      { name: 'login-ip-48', limit: 300, windowMs: 15 * MINUTE, algorithm: 'sliding-counter', identity: 'ip48' },
    ],
  },
  // Failed logins of one account from any address; fed by recordFailedAttempt, cleared on success, by an
  // unlock link or a password reset. Reaching it locks the account: only the owner's inbox reopens it.
  'login-account': {
    group: 'login-account',
    onStoreFailure: 'closed',
    rules: [{ name: 'login-account', limit: 20, windowMs: HOUR, algorithm: 'sliding-log', identity: 'email', cost: 0 }],
  },
  register: {
    group: 'register',
    onStoreFailure: 'closed',
    rules: [
      { name: 'register', limit: 3, windowMs: HOUR, algorithm: 'sliding-log', identity: 'ip' },
      { name: 'register-48', limit: 30, windowMs: HOUR, algorithm: 'sliding-counter', identity: 'ip48' },
      // However many addresses a bot rotates through, accounts are not mass-created.
      { name: 'register-global', limit: 200, windowMs: HOUR, algorithm: 'sliding-counter', identity: 'global' },
    ],
  },
  'password-reset': {
    group: 'password-reset',
    onStoreFailure: 'closed',
    rules: [
      { name: 'password-reset', limit: 3, windowMs: HOUR, algorithm: 'sliding-log', identity: 'ip' },
      { name: 'password-reset-email', limit: 3, windowMs: HOUR, algorithm: 'sliding-log', identity: 'email' },
    ],
  },
  // Setting a new password from a reset link costs a password hash: bounded per address.
  'reset-password': {
    group: 'reset-password',
    onStoreFailure: 'closed',
    rules: [{ name: 'reset-password', limit: 10, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'ip' }],
  },
  // Checking the current password costs a hash: bounded per signed-in user.
  'change-password': {
    group: 'change-password',
    onStoreFailure: 'closed',
    rules: [{ name: 'change-password', limit: 5, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'user' }],
  },
  api: {
    group: 'api',
    onStoreFailure: 'open',
    rules: [{ name: 'api', limit: 100, windowMs: MINUTE, algorithm: 'sliding-counter', identity: 'user-or-ip' }],
  },
  uploads: {
    group: 'uploads',
    onStoreFailure: 'closed',
    rules: [{ name: 'uploads', limit: 30, windowMs: MINUTE, algorithm: 'sliding-log', identity: 'user' }],
  },
  // "Am I signed in?", asked by every page after each navigation: only requests whose cookie could be a
  // session are counted (and looked up); the rest are answered without Redis by the route itself.
  session: {
    group: 'session',
    onStoreFailure: 'open',
    rules: [{ name: 'session', limit: 300, windowMs: MINUTE, algorithm: 'sliding-counter', identity: 'ip' }],
  },
};

const UNIT_MS = { s: 1_000, m: MINUTE, h: HOUR, d: 24 * HOUR } as const;
export const OVERRIDE_PATTERN = /^\s*([a-z0-9-]+)\s*=\s*(\d+)\s*\/\s*(\d*)\s*([smhd])\s*$/;

/** Applies "name=limit/window" overrides (window like 15m, 1h, 30s) to the default table. */
export function resolvePolicies(overrides: string | undefined): Record<RouteGroup, Policy> {
  const policies = structuredClone(DEFAULT_POLICIES);
  if (!overrides) return policies;
  const rules = new Map(Object.values(policies).flatMap((p) => p.rules.map((r) => [r.name, r] as const)));
  for (const item of overrides.split(',').filter((s) => s.trim() !== '')) {
    const match = OVERRIDE_PATTERN.exec(item);
    if (!match) throw new Error(`RATE_LIMITS: "${item.trim()}" is not name=limit/window (e.g. login=5/15m)`);
    const [, name, limit, count, unit] = match;
    const rule = rules.get(name!);
    if (!rule) throw new Error(`RATE_LIMITS: no limit is named "${name}" (known: ${[...rules.keys()].join(', ')})`);
    rule.limit = Number(limit);
    rule.windowMs = Number(count || '1') * UNIT_MS[unit as keyof typeof UNIT_MS];
    if (rule.limit < 1 || rule.windowMs < 1_000) throw new Error(`RATE_LIMITS: "${item.trim()}" needs a limit ≥ 1 and a window ≥ 1s`);
  }
  return policies;
}

/** RATE_LIMITS_SHADOW: rule names that count and report but refuse nothing. Unknown names are refused. */
export function shadowRuleNames(names: string | undefined, policies: Record<RouteGroup, Policy> = DEFAULT_POLICIES): Set<string> {
  const known = new Set(Object.values(policies).flatMap((policy) => policy.rules.map((rule) => rule.name)));
  const shadow = new Set(
    (names ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  for (const name of shadow) {
    if (!known.has(name)) throw new Error(`RATE_LIMITS_SHADOW: no limit is named "${name}" (known: ${[...known].join(', ')})`);
  }
  return shadow;
}

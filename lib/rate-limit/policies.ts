/**
 * Every rate limit in one table, by route group. A check of a group evaluates all its limits at once.
 * Limits on one account or one address+account use the exact sliding log; wide per-address, per-/48 and
 * app-wide budgets, and `api`, use the O(1) sliding-window counter (cheaper for Redis; within 2× of exact
 * only for a burst straddling two windows). Auth groups fail closed; `api` fails open onto the in-process
 * store. Limits can be overridden with RATE_LIMITS, e.g. "login=10/15m,api=300/1m".
 * Edge-safe.
 */
import {
  applyOverrides,
  shadowRuleNames as shadowRules,
  type Policy,
  type PolicyTable,
} from '@zigznote/ratelimit/limiter';

export type { Identity, LimitRule, Policy } from '@zigznote/ratelimit/limiter';

export const ROUTE_GROUPS = [
  'login',
  'login-account',
  'register',
  'password-reset',
  'reset-password',
  'change-password',
  'end-sessions',
  'api',
  'uploads',
  'session',
] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_POLICIES: PolicyTable<RouteGroup> = {
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
  // Signing out one device, all others or everywhere, from the sessions page: cheap, but each is a Redis
  // script over every session of the user.
  'end-sessions': {
    group: 'end-sessions',
    onStoreFailure: 'closed',
    rules: [{ name: 'end-sessions', limit: 30, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'user' }],
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

/** This app's table with RATE_LIMITS applied ("login=10/15m,api=300/1m"). */
export function resolvePolicies(overrides: string | undefined): PolicyTable<RouteGroup> {
  return applyOverrides(DEFAULT_POLICIES, overrides, 'RATE_LIMITS');
}

/** RATE_LIMITS_SHADOW: rule names that count and report but refuse nothing. Unknown names are refused. */
export function shadowRuleNames(
  names: string | undefined,
  policies: Record<RouteGroup, Policy<RouteGroup>> = DEFAULT_POLICIES,
): Set<string> {
  return shadowRules(names, policies, 'RATE_LIMITS_SHADOW');
}

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

/**
 * One entry per route group: the form posts it covers (a server action posts to its page's path),
 * what to do when the store is down, and its rules. The group names, the policy table and the form-post
 * routing are derived from it.
 */
interface GroupEntry extends Omit<Policy<string>, 'group'> {
  /** Page paths whose POSTs (server actions) middleware counts against this group. @default none */
  formPosts?: readonly string[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const GROUPS = {
  login: {
    formPosts: ['/auth/login'],
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
    onStoreFailure: 'closed',
    rules: [{ name: 'login-account', limit: 20, windowMs: HOUR, algorithm: 'sliding-log', identity: 'email', cost: 0 }],
  },
  register: {
    formPosts: ['/auth/signup'],
    onStoreFailure: 'closed',
    rules: [
      { name: 'register', limit: 3, windowMs: HOUR, algorithm: 'sliding-log', identity: 'ip' },
      { name: 'register-48', limit: 30, windowMs: HOUR, algorithm: 'sliding-counter', identity: 'ip48' },
      // However many addresses a bot rotates through, accounts are not mass-created.
      { name: 'register-global', limit: 200, windowMs: HOUR, algorithm: 'sliding-counter', identity: 'global' },
    ],
  },
  'password-reset': {
    formPosts: ['/auth/forgot-password'],
    onStoreFailure: 'closed',
    rules: [
      { name: 'password-reset', limit: 3, windowMs: HOUR, algorithm: 'sliding-log', identity: 'ip' },
      { name: 'password-reset-email', limit: 3, windowMs: HOUR, algorithm: 'sliding-log', identity: 'email' },
    ],
  },
  // Setting a new password from a reset link costs a password hash: bounded per address.
  'reset-password': {
    formPosts: ['/auth/reset-password'],
    onStoreFailure: 'closed',
    rules: [{ name: 'reset-password', limit: 10, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'ip' }],
  },
  // Checking the current password costs a hash: bounded per signed-in user.
  'change-password': {
    onStoreFailure: 'closed',
    rules: [{ name: 'change-password', limit: 5, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'user' }],
  },
  // Signing out one device, all others or everywhere, from the sessions page: cheap, but each is a Redis
  // script over every session of the user.
  'end-sessions': {
    onStoreFailure: 'closed',
    rules: [{ name: 'end-sessions', limit: 30, windowMs: 15 * MINUTE, algorithm: 'sliding-log', identity: 'user' }],
  },
  api: {
    onStoreFailure: 'open',
    rules: [{ name: 'api', limit: 100, windowMs: MINUTE, algorithm: 'sliding-counter', identity: 'user-or-ip' }],
  },
  uploads: {
    onStoreFailure: 'closed',
    rules: [{ name: 'uploads', limit: 30, windowMs: MINUTE, algorithm: 'sliding-log', identity: 'user' }],
  },
  // "Am I signed in?", asked by every page after each navigation: only requests whose cookie could be a
  // session are counted (and looked up); the rest are answered without Redis by the route itself.
  session: {
    onStoreFailure: 'open',
    rules: [{ name: 'session', limit: 300, windowMs: MINUTE, algorithm: 'sliding-counter', identity: 'ip' }],
  },
} satisfies Record<string, GroupEntry>;

export type RouteGroup = keyof typeof GROUPS;
export const ROUTE_GROUPS = Object.keys(GROUPS) as RouteGroup[];

export const DEFAULT_POLICIES = Object.fromEntries(
  ROUTE_GROUPS.map((group) => {
    const { formPosts: _formPosts, ...policy }: GroupEntry = GROUPS[group];
    return [group, { group, ...policy }];
  }),
) as PolicyTable<RouteGroup>;

/** The group each form-post path belongs to (from the table's `formPosts`). */
export const FORM_POST_GROUPS: ReadonlyMap<string, RouteGroup> = new Map(
  ROUTE_GROUPS.flatMap((group) =>
    ((GROUPS[group] as GroupEntry).formPosts ?? []).map((path) => [path, group] as const),
  ),
);

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

/**
 * What RATE_LIMITS and RATE_LIMITS_SHADOW mean against this table, checked when the server starts (the
 * configuration checks their syntax only): each problem worded as a configuration error.
 */
export function rateLimitSettingProblems(settings: {
  rateLimitOverrides?: string;
  rateLimitShadow?: string;
}): string[] {
  const problems: string[] = [];
  const check = (name: string, parse: () => unknown) => {
    try {
      parse();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push(message.startsWith(name) ? message.replace(/^([A-Z_]+): /, '$1 ') : `${name} ${message}`);
    }
  };
  check('RATE_LIMITS', () => resolvePolicies(settings.rateLimitOverrides));
  check('RATE_LIMITS_SHADOW', () => shadowRuleNames(settings.rateLimitShadow));
  return problems;
}

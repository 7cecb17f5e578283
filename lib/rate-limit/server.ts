/**
 * The rate limiter of this server process, on Redis when configured (in-process otherwise), and the
 * helpers callers use: one call per check, each answering with a RateLimitDecision. Node-only: it is
 * reached from middleware through the NEXT_RUNTIME switch and from server actions and route handlers.
 */
import { getConfig } from '../config';
import { processState } from '../runtime';
import { recordRateLimitDecision } from '../observability';
import { getRedis } from '../redis';
import {
  MemoryStore,
  parseTrustedProxies,
  RateLimiter,
  RedisStore,
  resolveClientIp,
  type RateLimitDecision as Decision,
  type TrustedProxies,
} from '@zigznote/ratelimit';
import type { MiddlewareCheck } from './middleware-handler';
import { DEFAULT_POLICIES, type RouteGroup } from './policies';
import { PEER_HEADER } from './verdict';

type RateLimitDecision = Decision<RouteGroup>;

const COUNTER_LEASE = 10;

const state = processState('rate-limit', () => ({
  limiter: undefined as RateLimiter<RouteGroup> | undefined,
  trustedProxies: undefined as TrustedProxies | undefined,
}));

export function getRateLimiter(): RateLimiter<RouteGroup> {
  if (!state.limiter) {
    const config = getConfig();
    // Up to 10 api hits per Redis round trip for a busy client (store-leasing.ts); exact near the limit.
    const redis = config.redis.kind === 'memory' ? null : config.redis;
    state.limiter = new RateLimiter({
      policies: DEFAULT_POLICIES,
      store: redis
        ? new RedisStore(getRedis(redis), { scriptNames: { refund: 'zigznoteRefundLimits' } })
        : new MemoryStore(),
      counterLeases: redis ? COUNTER_LEASE : 1,
      overrides: config.rateLimitOverrides,
      shadow: config.rateLimitShadow,
      observe: recordRateLimitDecision,
    });
  }
  return state.limiter;
}

export function getTrustedProxies(): TrustedProxies {
  state.trustedProxies ??= parseTrustedProxies(getConfig().trustedProxies, 'TRUSTED_PROXIES');
  return state.trustedProxies;
}

export function rateLimitsEnabled(): boolean {
  return !getConfig().rateLimitsDisabled;
}

/**
 * Middleware's check: the request's group limits, per user where `userOfSession` (the app's auth) says
 * whose session the request carries.
 */
export async function decide(
  check: MiddlewareCheck,
  userOfSession: (token: string | undefined) => Promise<string | undefined>,
): Promise<RateLimitDecision> {
  const userId = check.group === 'api' ? await userOfSession(check.sessionToken) : undefined;
  return getRateLimiter().limit({ group: check.group, ip: check.ip, userId });
}

export function checkRateLimit(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
  return getRateLimiter().limitCustom(key, limit, windowSeconds);
}

/**
 * Counts one request against every rule of `group` (a group of policies.ts), for whichever of address,
 * account and user the rules key on. The named helpers below are this call for one group each.
 */
export function checkGroupRateLimit(
  group: RouteGroup,
  who: { ip: string; email?: string; userId?: string },
): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group, ...who });
}

type Scope = { scope?: 'all' | 'account' };

/**
 * Counts one login attempt for this address and account; the account's recorded failures are checked
 * too. From a server action behind our middleware, pass scope 'account' (the IP limit was applied there).
 */
export function checkLoginRateLimit(
  ip: string,
  email?: string,
  { scope = 'all' }: Scope = {},
): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'login', ip, email, scope });
}

export function checkRegisterRateLimit(ip: string): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'register', ip });
}

export function checkPasswordResetRateLimit(
  ip: string,
  email?: string,
  { scope = 'all' }: Scope = {},
): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'password-reset', ip, email, scope });
}

/** The client address of a request seen by a server action or route handler (socket, trusted proxies). */
export function clientIpFromHeaders(headers: { get(name: string): string | null }): string {
  return resolveClientIp(headers.get(PEER_HEADER), headers.get('x-forwarded-for'), getTrustedProxies());
}

/** Ending sessions from the sessions page: counted per signed-in user. */
export function checkSessionsRateLimit(userId: string, ip = 'unknown'): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'end-sessions', ip, userId });
}

export function checkApiRateLimit(userId: string, ip = 'unknown'): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'api', ip, userId });
}

/** For /api/session: counted per address, only for requests whose cookie is shaped like a session. */
export function checkSessionRateLimit(ip: string): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'session', ip });
}

export function checkUploadRateLimit(userId: string, ip = 'unknown'): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'uploads', ip, userId });
}

/** Records a failed login against the account, whatever address it came from. */
export function recordFailedAttempt(ip: string, email: string): Promise<RateLimitDecision> {
  return getRateLimiter().record('login-account', 'login-account', { ip, email });
}

/**
 * Whether the account reached its failed-login limit (consumes nothing). A store that does not answer
 * counts as locked: the group fails closed.
 */
export async function isAccountLocked(email: string): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'login-account', ip: 'any', email }, { useBlockCache: false });
}

/** After a successful login: this address's attempts and the account's failures start again from zero. */
export async function resetFailedAttempts(ip: string, email: string): Promise<void> {
  await Promise.all([getRateLimiter().clear('login', ['login'], { ip, email }), clearAccountFailures(email)]);
}

/** After an unlock link or a password reset: the account's failures from every address are forgotten. */
export function clearAccountFailures(email: string): Promise<void> {
  return getRateLimiter().clear('login-account', ['login-account'], { ip: 'any', email });
}

export function checkResetPasswordRateLimit(ip: string, { scope = 'all' }: Scope = {}): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'reset-password', ip, scope });
}

export function checkChangePasswordRateLimit(userId: string, ip = 'unknown'): Promise<RateLimitDecision> {
  return getRateLimiter().limit({ group: 'change-password', ip, userId });
}

/**
 * The auth flows wired to this process's services (Postgres, Redis, SES, the rate limiter), and the
 * current session from the request's cookie. Node-only: server actions, route handlers and server
 * components use it.
 */
import { cookies, headers } from 'next/headers';
import { after } from 'next/server';
import { getConfig } from '../config';
import { getDatabase, getSqlClient, inTransaction } from '../db';
import { sendTemplateEmail, wakeEmailWorker, type SendResult } from '../email';
import { limitedGroup, limitMessage } from '../rate-limit';
import {
  checkChangePasswordRateLimit,
  checkLoginRateLimit,
  checkPasswordResetRateLimit,
  checkResetPasswordRateLimit,
  checkSessionsRateLimit,
  clearAccountFailures,
  clientIpFromHeaders,
  isAccountLocked,
  recordFailedAttempt,
  resetFailedAttempts,
} from '../rate-limit';
import { getKeyValue } from '../redis';
import { fulfilEmailRequest, type AuthDeps, type LimitAnswer } from './flows';
import { describeDevice } from './device';
import {
  createSession,
  isSessionTokenShaped,
  listSessions,
  revokeSession,
  revokeSessionById,
  revokeUserSessions,
  sessionCookieName,
  sessionCookieOptions,
  validateSession,
  type Session,
  type SessionListing,
} from './session';
import type { User } from '../db';
import { findUserById } from './users';
import { problemFor } from '../api';
import type { Result } from '../result';

function runAfterResponse(task: () => Promise<void>): void {
  const guarded = () =>
    task().catch((error) =>
      console.error(`[auth] deferred work failed: ${error instanceof Error ? error.name : 'error'}`),
    );
  try {
    after(guarded);
  } catch {
    void guarded();
  }
}

/** Waits for the outbox row; a refused email (suppressed, a key conflict) is logged, not the user's problem. */
async function queued(result: Promise<SendResult>): Promise<void> {
  const outcome = await result;
  if (!outcome.ok) console.warn(`[email] not queued: ${outcome.status}`);
}

function answer(decision: { allowed: boolean; status: number; retryAfterSeconds: number }): LimitAnswer {
  if (decision.allowed) return { allowed: true };
  return { allowed: false, message: limitMessage(decision.status === 503 ? 503 : 429, decision.retryAfterSeconds) };
}

async function scopeFor(group: string): Promise<'account' | 'all'> {
  return limitedGroup(await headers()) === group ? 'account' : 'all';
}

type Scope = 'account' | 'all';

/**
 * The flows' emails, each written to the outbox (Postgres) before the flow answers; the outbox worker
 * sends it.
 */
export function outboxEmails(): AuthDeps['emails'] {
  return {
    verification: (to, token, transaction) => queued(sendTemplateEmail('verify-email', to, { token }, { transaction })),
    welcome: (to, name) => queued(sendTemplateEmail('welcome', to, { name })),
    passwordReset: (to, name, token, transaction) =>
      queued(sendTemplateEmail('reset-password', to, { name, token }, { transaction })),
    passwordChanged: (to, name) => queued(sendTemplateEmail('password-changed', to, { name })),
    accountExists: (to, name, transaction) =>
      queued(sendTemplateEmail('account-exists', to, { name }, { transaction })),
    unlockAccount: (to, name, token, transaction) =>
      queued(sendTemplateEmail('unlock-account', to, { name, token }, { transaction })),
  };
}

/**
 * The flows' limits on this process's limiter. `scopeOf(group)` says whether middleware already applied
 * the group's per-IP limits to this request ('account': count only the account's here).
 */
export function limiterLimits(scopeOf: (group: string) => Promise<Scope>): AuthDeps['limits'] {
  return {
    login: async (ip, email) => answer(await checkLoginRateLimit(ip, email, { scope: await scopeOf('login') })),
    account: async (email) => answer(await isAccountLocked(email)),
    recordFailedLogin: async (ip, email) => void (await recordFailedAttempt(ip, email)),
    resetFailedLogins: (ip, email) => resetFailedAttempts(ip, email),
    clearAccountFailures: (email) => clearAccountFailures(email),
    passwordReset: async (ip, email) =>
      answer(await checkPasswordResetRateLimit(ip, email, { scope: await scopeOf('password-reset') })),
    resetPassword: async (ip) =>
      answer(await checkResetPasswordRateLimit(ip, { scope: await scopeOf('reset-password') })),
    changePassword: async (userId, ip) => answer(await checkChangePasswordRateLimit(userId, ip)),
  };
}

export async function getAuthDeps(): Promise<AuthDeps> {
  const config = getConfig();
  return {
    db: await getDatabase(config.database),
    sql: await getSqlClient(config.database),
    inTransaction: async (work) => {
      const result = await inTransaction(config.database, work);
      wakeEmailWorker();
      return result;
    },
    kv: getKeyValue(config.redis),
    later: async (task) => runAfterResponse(task),
    emails: outboxEmails(),
    limits: limiterLimits(scopeFor),
  };
}

/** A request is fulfilled right after its answer; one still there after this long lost its process. */
const ORPHANED_REQUEST_AGE_MS = 10_000;

/**
 * Makes the emails of auth requests whose process died between answering and making them (at most `max`
 * per call); the number made. Safe on every instance at once: each request is taken by one.
 */
export async function sweepEmailRequests(max = 100): Promise<number> {
  const deps = await getAuthDeps();
  let made = 0;
  while (made < max && (await fulfilEmailRequest(deps, { olderThanMs: ORPHANED_REQUEST_AGE_MS }))) made++;
  return made;
}

/**
 * Starts a session for the user and sets its cookie (server actions and route handlers only), recording the
 * device it came from; a device not seen for the account in 30 days gets the owner a "New sign-in" email
 * (queued before this answers). False when the user's sessions were revoked after `authenticatedAt` (a
 * password reset raced this login).
 */
export async function signIn(user: Pick<User, 'id' | 'email' | 'name'>, authenticatedAt: number): Promise<boolean> {
  const config = getConfig();
  const requestHeaders = await headers();
  const device = describeDevice(requestHeaders.get('user-agent'), clientIpFromHeaders(requestHeaders));
  const created = await createSession(getKeyValue(config.redis), user.id, {
    authenticatedAt,
    lifetime: config.sessions,
    device,
  });
  if (!created) return false;
  (await cookies()).set(
    sessionCookieName(config.isProduction),
    created.token,
    sessionCookieOptions(config.isProduction, created.session.expiresInSeconds),
  );
  if (created.newDevice && config.newDeviceEmail) {
    // The login stands whatever happens to its notice: a failure here is logged, not shown.
    await queued(sendTemplateEmail('new-sign-in', user.email, { name: user.name, device })).catch((error: unknown) =>
      console.error(`[auth] new sign-in email not queued: ${error instanceof Error ? error.name : 'error'}`),
    );
  }
  return true;
}

/** The session cookie's value in this mode, if it is shaped like a session token (no Redis call). */
export async function currentSessionToken(): Promise<string | undefined> {
  const token = (await cookies()).get(sessionCookieName(getConfig().isProduction))?.value;
  return isSessionTokenShaped(token) ? token : undefined;
}

export async function getCurrentSession(): Promise<Session | null> {
  const config = getConfig();
  const token = (await cookies()).get(sessionCookieName(config.isProduction))?.value;
  return validateSession(getKeyValue(config.redis), token, { lifetime: config.sessions });
}

export async function getCurrentUser() {
  const session = await getCurrentSession();
  if (!session) return null;
  const user = await findUserById(await getDatabase(getConfig().database), session.userId);
  return user ? { session, user } : null;
}

/** Thrown when the session store cannot answer: a page says so instead of showing an empty list. */
export class SessionsUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the session store did not answer', { cause });
    this.name = 'SessionsUnavailableError';
  }
}

/** The signed-in user's sessions, this one marked; null when not signed in. */
export async function currentUserSessions(): Promise<{ session: Session; sessions: SessionListing[] } | null> {
  const config = getConfig();
  try {
    const session = await getCurrentSession();
    if (!session) return null;
    return { session, sessions: await listSessions(getKeyValue(config.redis), session) };
  } catch (error) {
    throw new SessionsUnavailableError(error);
  }
}

/** Ends one of the signed-in user's own sessions by its public id; false when the user has none by it. */
export async function signOutSession(session: Session, id: string): Promise<boolean> {
  return revokeSessionById(getKeyValue(getConfig().redis), session.userId, id);
}

/** Ends every other session of the user (and logins in flight), keeping this one. */
export async function signOutOtherSessions(session: Session): Promise<number> {
  const config = getConfig();
  return revokeUserSessions(getKeyValue(config.redis), session.userId, session, { lifetime: config.sessions });
}

/** Whether this user may change their sessions now (the `sessions` limit); the message when not. */
export async function sessionsActionAllowed(session: Session, ip: string): Promise<LimitAnswer> {
  return answer(await checkSessionsRateLimit(session.userId, ip));
}

/** Ends this session and clears its cookie. */
export async function signOut(): Promise<void> {
  const config = getConfig();
  const session = await getCurrentSession();
  if (session) await revokeSession(getKeyValue(config.redis), session);
  // A __Host- cookie is only replaced by one with the same attributes (Secure, Path=/): expire it so.
  (await cookies()).set(sessionCookieName(config.isProduction), '', sessionCookieOptions(config.isProduction, 0));
}

/** Ends every session of the user (and logins in flight), then this one's cookie. */
export async function signOutEverywhere(): Promise<void> {
  const config = getConfig();
  const session = await getCurrentSession();
  if (session)
    await revokeUserSessions(getKeyValue(config.redis), session.userId, undefined, { lifetime: config.sessions });
  (await cookies()).set(sessionCookieName(config.isProduction), '', sessionCookieOptions(config.isProduction, 0));
}

/**
 * For middleware, on a page request carrying the session cookie: the cookie to send back so it lives as
 * long as the session does (the server slides the session; without this the browser would drop an active
 * user's cookie 30 days after login). Null when there is nothing to renew; a session that is gone gets its
 * cookie expired.
 */
export async function renewedSessionCookie(
  token: string,
): Promise<{ name: string; value: string; options: ReturnType<typeof sessionCookieOptions> } | null> {
  const config = getConfig();
  const session = await validateSession(getKeyValue(config.redis), token, { lifetime: config.sessions });
  const name = sessionCookieName(config.isProduction);
  if (!session) return { name, value: '', options: sessionCookieOptions(config.isProduction, 0) };
  return { name, value: token, options: sessionCookieOptions(config.isProduction, session.expiresInSeconds) };
}

/** The signed-in user's id, or a 401 problem for a route handler to return. */
export async function requireUser(): Promise<Result<{ userId: string }, { response: Response }>> {
  const session = await getCurrentSession();
  if (!session) return { ok: false, error: 'Log in first.', response: problemFor(401, 'Log in first.') };
  return { ok: true, userId: session.userId };
}

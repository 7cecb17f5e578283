/**
 * What each auth form does, as plain functions over injected dependencies, so the same code serves the
 * server actions and the tests. Every flow answers with a value (never throws for what a user can cause).
 * Sign-up and forgot-password answer identically, in about the same time, whether or not the account
 * exists: before answering, each commits the same kind of row (see ./email-requests), and what differs
 * (creating the account, the email it gets) runs after the answer, from that row; login says "incorrect" the same way for an unknown
 * address, a wrong password and the right password of an unverified account. Cheap checks (rate limits, token lookups) come before any password hash,
 * so no unauthenticated request spends scrypt for nothing. A locked account answers the same whether the
 * password was right or wrong; only a right one mails the owner an unlock link. Node-only.
 */
import type { SqlClient } from '@zigznote/email';
import type { Database, User } from '../db';
import type { KeyValue } from '../redis';
import { recordEmailRequest, takeEmailRequest, type EmailRequest } from './email-requests';
import { hashPassword, PasswordHashingBusyError, verifyAgainstDummy, verifyPassword } from './password';
import { revokeUserSessions, type Session } from './session';
import { issueToken, peekToken, redeemToken } from './tokens';
import {
  findUserByEmail,
  findUserByEmailIn,
  findUserById,
  findUserByIdIn,
  insertUser,
  markEmailVerified,
  updatePasswordHash,
} from './users';
import type { Result } from '../result';

export interface LimitAnswer {
  allowed: boolean;
  message?: string;
}

/** An email's outbox row goes into this transaction when given, so it commits with what caused it. */
type Queue<Args extends unknown[]> = (...args: [...Args, transaction?: SqlClient]) => Promise<void> | void;

export interface AuthDeps {
  db: Database;
  /** The same database as a plain `query()` client (the email requests). */
  sql: SqlClient;
  /** Runs `work` in one transaction on the database. */
  inTransaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  kv: KeyValue;
  /**
   * Runs work the answer must not wait for, nor reveal by its timing (after the response, in production;
   * at once in tests).
   */
  later(task: () => Promise<void>): Promise<void>;
  /** Each queues one email (durably) and resolves once it is queued; sending happens later. */
  emails: {
    /** No name: it goes to an address not yet proved (see emails/verify-email.tsx). */
    verification: Queue<[to: string, token: string]>;
    welcome: Queue<[to: string, name: string]>;
    passwordReset: Queue<[to: string, name: string, token: string]>;
    passwordChanged: Queue<[to: string, name: string]>;
    accountExists: Queue<[to: string, name: string]>;
    unlockAccount: Queue<[to: string, name: string, token: string]>;
  };
  limits: {
    login(ip: string, email: string): Promise<LimitAnswer>;
    /** Not allowed when the account reached its failed-login limit (consumes nothing). */
    account(email: string): Promise<LimitAnswer>;
    recordFailedLogin(ip: string, email: string): Promise<void>;
    resetFailedLogins(ip: string, email: string): Promise<void>;
    clearAccountFailures(email: string): Promise<void>;
    passwordReset(ip: string, email: string): Promise<LimitAnswer>;
    resetPassword(ip: string): Promise<LimitAnswer>;
    changePassword(userId: string, ip: string): Promise<LimitAnswer>;
  };
}

export type FlowResult<T extends object = object> = Result<T, { code: string }>;

export const MESSAGES = {
  checkEmail: 'Check your email: we sent you a link to verify your address. It expires in 24 hours.',
  // Also said for the right password of an unverified account: until the password is right and the
  // address verified, no answer tells which of the two is missing.
  invalidCredentials:
    'Email or password is incorrect, or the address is not verified yet (we can send you a new link).',
  verificationResent: 'If that address needs verifying, a new link is on its way.',
  resetSent: 'If an account exists for that address, we sent a link to reset its password. It expires in 1 hour.',
  badVerifyLink: 'This verification link is invalid, has expired or was already used. Log in to get a new one.',
  badResetLink: 'This reset link is invalid, has expired or was already used. Request a new one.',
  badUnlockLink: 'This unlock link is invalid, has expired or was already used. Log in again to get a new one.',
  wrongCurrentPassword: 'Your current password is incorrect.',
  // Said for right and wrong passwords alike, so a locked account gives a guesser no oracle.
  accountLocked:
    'This account is locked after too many failed login attempts. We emailed you a link to unlock your account if the password you entered is right.',
  sessionsRevoked: 'Your sessions were just ended (a password change or reset). Log in again.',
  busy: 'We are handling a lot of logins right now. Please try again in a few seconds.',
} as const;

/** The name an email may show: none until the address is verified (whoever signed up chose it). */
const nameToGreet = (user: User) => (user.emailVerifiedAt ? user.name : '');

const limited = (limit: LimitAnswer) => ({
  ok: false as const,
  error: limit.message ?? 'Too many attempts.',
  code: 'limited',
});

const busy = { ok: false as const, error: MESSAGES.busy, code: 'busy' };
const SIGN_UP_HASH_WAIT_MS = 20_000;

/**
 * Commits the request (the row that makes its email), and makes the email after the answer. Whatever the
 * request turns out to be (an account or none), the answer has already gone, at the same cost.
 */
async function promiseEmail(deps: AuthDeps, request: EmailRequest): Promise<void> {
  const id = await recordEmailRequest(deps.sql, request);
  await deps.later(async () => void (await fulfilEmailRequest(deps, { id })));
}

/**
 * Makes the email of one committed request, in one transaction with taking it: this id (right after the
 * answer), or the oldest older than `olderThanMs` (the sweep, after a process died). False when there was
 * none to take (another process has it, or it is done).
 */
export async function fulfilEmailRequest(
  deps: AuthDeps,
  which: { id: string } | { olderThanMs: number },
): Promise<boolean> {
  return deps.inTransaction(async (tx) => {
    const request = await takeEmailRequest(tx, which);
    if (!request) return false;
    switch (request.kind) {
      case 'sign-up': {
        const user = await insertUser(tx, request);
        if (user) {
          await deps.emails.verification(user.email, await issueToken(deps.kv, 'verify-email', user.id), tx);
        } else {
          const existing = await findUserByEmailIn(tx, request.email);
          if (existing) await deps.emails.accountExists(existing.email, nameToGreet(existing), tx);
        }
        break;
      }
      case 'verify': {
        const user = await findUserByEmailIn(tx, request.email);
        if (user && !user.emailVerifiedAt)
          await deps.emails.verification(user.email, await issueToken(deps.kv, 'verify-email', user.id), tx);
        break;
      }
      case 'reset': {
        const user = await findUserByEmailIn(tx, request.email);
        if (user)
          await deps.emails.passwordReset(
            user.email,
            nameToGreet(user),
            await issueToken(deps.kv, 'reset-password', user.id),
            tx,
          );
        break;
      }
      case 'unlock': {
        const user = await findUserByIdIn(tx, request.userId);
        if (user)
          await deps.emails.unlockAccount(
            user.email,
            nameToGreet(user),
            await issueToken(deps.kv, 'unlock-account', user.id),
            tx,
          );
        break;
      }
    }
    return true;
  });
}

/**
 * Hashes the password (in the bounded hashing lane, as a login does) and commits the sign-up before
 * answering "check your email"; the account, or the owner's "you already have an account" email, is made
 * from it after the answer.
 */
export async function signUp(
  deps: AuthDeps,
  input: { name: string; email: string; password: string },
): Promise<FlowResult<{ message: string }>> {
  let passwordHash: string;
  try {
    // Longer than a login's wait: a sign-up refused as busy has to be typed again, a slower answer does not.
    passwordHash = await hashPassword(input.password, { maxWaitMs: SIGN_UP_HASH_WAIT_MS });
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) return busy;
    throw error;
  }
  await promiseEmail(deps, { kind: 'sign-up', email: input.email.trim(), name: input.name.trim(), passwordHash });
  return { ok: true, message: MESSAGES.checkEmail };
}

/** Redeems a verification link. Proves the inbox, nothing more: the caller sends the user to log in. */
export async function verifyEmail(deps: AuthDeps, token: string): Promise<FlowResult<{ user: User }>> {
  const userId = await redeemToken(deps.kv, 'verify-email', token);
  const user = userId ? await markEmailVerified(deps.db, userId) : null;
  if (!user) return { ok: false, error: MESSAGES.badVerifyLink, code: 'invalid-token' };
  await deps.emails.welcome(user.email, user.name);
  return { ok: true, user };
}

/**
 * The answer to "email me a link" (a new verification link, a reset link): counted against the address
 * and the account's password-reset limits, the same for a registered address and an unknown one.
 */
async function promiseLinkEmail(
  deps: AuthDeps,
  kind: 'verify' | 'reset',
  email: string,
  ip: string,
): Promise<FlowResult<{ message: string }>> {
  const limit = await deps.limits.passwordReset(ip, email);
  if (!limit.allowed) return limited(limit);
  await promiseEmail(deps, { kind, email: email.trim() });
  return { ok: true, message: kind === 'verify' ? MESSAGES.verificationResent : MESSAGES.resetSent };
}

export function resendVerification(
  deps: AuthDeps,
  input: { email: string },
  ip: string,
): Promise<FlowResult<{ message: string }>> {
  return promiseLinkEmail(deps, 'verify', input.email, ip);
}

/**
 * Checks credentials; the caller creates the session with `authenticatedAt`, so a password reset that
 * lands while this login is in flight still ends it.
 */
export async function logIn(
  deps: AuthDeps,
  input: { email: string; password: string },
  ip: string,
): Promise<FlowResult<{ user: User; authenticatedAt: number }>> {
  const limit = await deps.limits.login(ip, input.email);
  if (!limit.allowed) return limited(limit);
  const authenticatedAt = Date.now();
  const user = await findUserByEmail(deps.db, input.email);
  let valid: boolean;
  try {
    valid = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) return busy;
    throw error;
  }
  const account = await deps.limits.account(input.email);
  if (!account.allowed) {
    if (user && valid) {
      await promiseEmail(deps, { kind: 'unlock', email: user.email, userId: user.id });
    } else {
      await deps.limits.recordFailedLogin(ip, input.email);
    }
    return { ok: false, error: MESSAGES.accountLocked, code: 'locked' };
  }
  // An unverified account counts a failure even for the right password: otherwise whether the account
  // locks would tell a guesser which password was right.
  if (!user || !valid || !user.emailVerifiedAt) {
    await deps.limits.recordFailedLogin(ip, input.email);
    return { ok: false, error: MESSAGES.invalidCredentials, code: 'invalid-credentials' };
  }
  await deps.limits.resetFailedLogins(ip, input.email);
  return { ok: true, user, authenticatedAt };
}

/**
 * Redeems an unlock link (mailed only after a right password on a locked account): the account's failed
 * logins are forgotten and the held login goes through; the caller creates the session.
 */
export async function unlockAccount(
  deps: AuthDeps,
  token: string,
  ip: string,
): Promise<FlowResult<{ user: User; authenticatedAt: number }>> {
  const authenticatedAt = Date.now();
  const userId = await redeemToken(deps.kv, 'unlock-account', token);
  // The link reached the inbox, so it proves the address too.
  const user = userId ? await markEmailVerified(deps.db, userId) : null;
  if (!user) return { ok: false, error: MESSAGES.badUnlockLink, code: 'invalid-token' };
  // As after any successful login: the account's failures and this address's attempts start from zero.
  await deps.limits.resetFailedLogins(ip, user.email);
  return { ok: true, user, authenticatedAt };
}

export function requestPasswordReset(
  deps: AuthDeps,
  input: { email: string },
  ip: string,
): Promise<FlowResult<{ message: string }>> {
  return promiseLinkEmail(deps, 'reset', input.email, ip);
}

/**
 * Sets a new password from a reset link, ends every session, forgets failed logins, and does not sign in.
 * The link is looked up before hashing and used up only once the hash is ready, so a bogus link costs no
 * hash and a busy server does not burn a good link.
 */
export async function resetPassword(
  deps: AuthDeps,
  input: { token: string; password: string },
  ip: string,
): Promise<FlowResult> {
  const limit = await deps.limits.resetPassword(ip);
  if (!limit.allowed) return limited(limit);
  const badLink = { ok: false as const, error: MESSAGES.badResetLink, code: 'invalid-token' };
  const holder = await peekToken(deps.kv, 'reset-password', input.token);
  const user = holder ? await findUserById(deps.db, holder) : null;
  if (!user) return badLink;
  let passwordHash: string;
  try {
    passwordHash = await hashPassword(input.password);
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) return { ok: false, error: MESSAGES.busy, code: 'busy' };
    throw error;
  }
  if ((await redeemToken(deps.kv, 'reset-password', input.token)) !== user.id) return badLink;
  await updatePasswordHash(deps.db, user.id, passwordHash);
  await revokeUserSessions(deps.kv, user.id);
  // Whoever could read the inbox could also have verified it: the reset proves the address.
  await markEmailVerified(deps.db, user.id);
  await deps.limits.clearAccountFailures(user.email);
  await deps.emails.passwordChanged(user.email, user.name);
  return { ok: true };
}

/** Changes the password of the signed-in user and ends their other sessions. */
export async function changePassword(
  deps: AuthDeps,
  session: Session,
  input: { currentPassword: string; newPassword: string },
  ip = 'unknown',
): Promise<FlowResult> {
  const limit = await deps.limits.changePassword(session.userId, ip);
  if (!limit.allowed) return limited(limit);
  const user = await findUserById(deps.db, session.userId);
  if (!user) return { ok: false, error: 'Your session has ended. Log in again.', code: 'no-user' };
  try {
    if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
      return { ok: false, error: MESSAGES.wrongCurrentPassword, code: 'wrong-password' };
    }
    await updatePasswordHash(deps.db, user.id, await hashPassword(input.newPassword));
  } catch (error) {
    if (error instanceof PasswordHashingBusyError) return { ok: false, error: MESSAGES.busy, code: 'busy' };
    throw error;
  }
  await revokeUserSessions(deps.kv, user.id, session);
  await deps.emails.passwordChanged(user.email, user.name);
  return { ok: true };
}

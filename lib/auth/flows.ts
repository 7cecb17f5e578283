/**
 * What each auth form does, as plain functions over injected dependencies, so the same code serves the
 * server actions and the tests. Every flow answers with a value (never throws for what a user can cause).
 * Sign-up and forgot-password answer identically, in about the same time, whether or not the account
 * exists; login says "incorrect" the same way for an unknown address and a wrong password. Node-only.
 */
import type { Database, User } from '../db';
import type { KeyValue } from '../redis';
import { hashPassword, verifyAgainstDummy, verifyPassword } from './password';
import { revokeUserSessions, type Session } from './session';
import { issueToken, redeemToken } from './tokens';
import { createUser, findUserByEmail, findUserById, markEmailVerified, updatePasswordHash } from './users';

export interface LimitAnswer {
  allowed: boolean;
  message?: string;
}

export interface AuthDeps {
  db: Database;
  kv: KeyValue;
  /**
   * Runs work the answer must not wait for, nor reveal by its timing (after the response, in production;
   * at once in tests).
   */
  later(task: () => Promise<void>): Promise<void>;
  /** Each schedules one email; none is awaited by the user's response. */
  emails: {
    verification(to: string, name: string, token: string): void;
    welcome(to: string, name: string): void;
    passwordReset(to: string, name: string, token: string): void;
    passwordChanged(to: string, name: string): void;
    accountExists(to: string, name: string): void;
  };
  limits: {
    login(ip: string, email: string): Promise<LimitAnswer>;
    recordFailedLogin(ip: string, email: string): Promise<void>;
    resetFailedLogins(ip: string, email: string): Promise<void>;
    passwordReset(ip: string, email: string): Promise<LimitAnswer>;
  };
}

export type FlowResult<T = object> = ({ ok: true } & T) | { ok: false; error: string; code: string };

export const MESSAGES = {
  checkEmail: 'Check your email: we sent you a link to verify your address. It expires in 24 hours.',
  invalidCredentials: 'Email or password is incorrect.',
  unverified: 'Verify your email address before logging in. We can send you a new link.',
  verificationResent: 'If that address needs verifying, a new link is on its way.',
  resetSent: 'If an account exists for that address, we sent a link to reset its password. It expires in 1 hour.',
  badVerifyLink: 'This verification link is invalid, has expired or was already used. Log in to get a new one.',
  badResetLink: 'This reset link is invalid, has expired or was already used. Request a new one.',
  wrongCurrentPassword: 'Your current password is incorrect.',
} as const;

export async function signUp(deps: AuthDeps, input: { name: string; email: string; password: string }): Promise<FlowResult<{ message: string }>> {
  // Hash first, whatever happens next: the answer must take as long for a registered address.
  const passwordHash = await hashPassword(input.password);
  const existing = await findUserByEmail(deps.db, input.email);
  if (existing) {
    deps.emails.accountExists(existing.email, existing.name);
    return { ok: true, message: MESSAGES.checkEmail };
  }
  const user = await createUser(deps.db, { email: input.email, name: input.name, passwordHash });
  if (!user) {
    const raced = await findUserByEmail(deps.db, input.email);
    if (raced) deps.emails.accountExists(raced.email, raced.name);
    return { ok: true, message: MESSAGES.checkEmail };
  }
  const token = await issueToken(deps.kv, 'verify-email', user.id);
  deps.emails.verification(user.email, user.name, token);
  return { ok: true, message: MESSAGES.checkEmail };
}

/** Redeems a verification link; the caller signs the user in. */
export async function verifyEmail(deps: AuthDeps, token: string): Promise<FlowResult<{ user: User }>> {
  const userId = await redeemToken(deps.kv, 'verify-email', token);
  const user = userId ? await markEmailVerified(deps.db, userId) : null;
  if (!user) return { ok: false, error: MESSAGES.badVerifyLink, code: 'invalid-token' };
  deps.emails.welcome(user.email, user.name);
  return { ok: true, user };
}

export async function resendVerification(deps: AuthDeps, input: { email: string }, ip: string): Promise<FlowResult<{ message: string }>> {
  const limit = await deps.limits.passwordReset(ip, input.email);
  if (!limit.allowed) return { ok: false, error: limit.message ?? 'Too many attempts.', code: 'limited' };
  const user = await findUserByEmail(deps.db, input.email);
  if (user && !user.emailVerifiedAt) {
    const token = await issueToken(deps.kv, 'verify-email', user.id);
    deps.emails.verification(user.email, user.name, token);
  }
  return { ok: true, message: MESSAGES.verificationResent };
}

/** Checks credentials; the caller creates the session. */
export async function logIn(deps: AuthDeps, input: { email: string; password: string }, ip: string): Promise<FlowResult<{ user: User }>> {
  const limit = await deps.limits.login(ip, input.email);
  if (!limit.allowed) return { ok: false, error: limit.message ?? 'Too many attempts.', code: 'limited' };
  const user = await findUserByEmail(deps.db, input.email);
  const valid = user ? await verifyPassword(input.password, user.passwordHash) : await verifyAgainstDummy(input.password);
  if (!user || !valid) {
    await deps.limits.recordFailedLogin(ip, input.email);
    return { ok: false, error: MESSAGES.invalidCredentials, code: 'invalid-credentials' };
  }
  if (!user.emailVerifiedAt) return { ok: false, error: MESSAGES.unverified, code: 'unverified' };
  await deps.limits.resetFailedLogins(ip, input.email);
  return { ok: true, user };
}

export async function requestPasswordReset(deps: AuthDeps, input: { email: string }, ip: string): Promise<FlowResult<{ message: string }>> {
  const limit = await deps.limits.passwordReset(ip, input.email);
  if (!limit.allowed) return { ok: false, error: limit.message ?? 'Too many attempts.', code: 'limited' };
  const user = await findUserByEmail(deps.db, input.email);
  if (user) {
    // Issuing the token costs Redis round trips an unknown address would not: do it after answering.
    await deps.later(async () => {
      const token = await issueToken(deps.kv, 'reset-password', user.id);
      deps.emails.passwordReset(user.email, user.name, token);
    });
  }
  return { ok: true, message: MESSAGES.resetSent };
}

/** Sets a new password from a reset link, ends every session, and does not sign in. */
export async function resetPassword(deps: AuthDeps, input: { token: string; password: string }): Promise<FlowResult> {
  const passwordHash = await hashPassword(input.password);
  const userId = await redeemToken(deps.kv, 'reset-password', input.token);
  const user = userId ? await findUserById(deps.db, userId) : null;
  if (!user) return { ok: false, error: MESSAGES.badResetLink, code: 'invalid-token' };
  await updatePasswordHash(deps.db, user.id, passwordHash);
  await revokeUserSessions(deps.kv, user.id);
  // Whoever could read the inbox could also have verified it: the reset proves the address.
  await markEmailVerified(deps.db, user.id);
  deps.emails.passwordChanged(user.email, user.name);
  return { ok: true };
}

/** Changes the password of the signed-in user and ends their other sessions. */
export async function changePassword(deps: AuthDeps, session: Session, input: { currentPassword: string; newPassword: string }): Promise<FlowResult> {
  const user = await findUserById(deps.db, session.userId);
  if (!user) return { ok: false, error: 'Your session has ended. Log in again.', code: 'no-user' };
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    return { ok: false, error: MESSAGES.wrongCurrentPassword, code: 'wrong-password' };
  }
  await updatePasswordHash(deps.db, user.id, await hashPassword(input.newPassword));
  await revokeUserSessions(deps.kv, user.id, session);
  deps.emails.passwordChanged(user.email, user.name);
  return { ok: true };
}

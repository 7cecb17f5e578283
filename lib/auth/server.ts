/**
 * The auth flows wired to this process's services (Postgres, Redis, SES, the rate limiter), and the
 * current session from the request's cookie. Node-only: server actions, route handlers and server
 * components use it.
 */
import { cookies, headers } from 'next/headers';
import { after } from 'next/server';
import { getConfig } from '../config';
import { getDatabase } from '../db';
import {
  sendAccountExistsEmail,
  sendAfterResponse,
  sendPasswordChangedEmail,
  sendPasswordResetEmail,
  sendVerificationEmail,
  sendWelcomeEmail,
} from '../email';
import { limitedGroup, limitMessage } from '../rate-limit';
import { checkLoginRateLimit, checkPasswordResetRateLimit, recordFailedAttempt, resetFailedAttempts } from '../rate-limit/server';
import { getKeyValue } from '../redis';
import type { AuthDeps, LimitAnswer } from './flows';
import { createSession, revokeSession, sessionCookieName, sessionCookieOptions, validateSession, type Session } from './session';
import { findUserById } from './users';

function runAfterResponse(task: () => Promise<void>): void {
  const guarded = () => task().catch((error) => console.error(`[auth] deferred work failed: ${error instanceof Error ? error.name : 'error'}`));
  try {
    after(guarded);
  } catch {
    void guarded();
  }
}

function answer(decision: { allowed: boolean; status: number; retryAfterSeconds: number }): LimitAnswer {
  if (decision.allowed) return { allowed: true };
  return { allowed: false, message: limitMessage(decision.status === 503 ? 503 : 429, decision.retryAfterSeconds) };
}

async function scopeFor(group: string): Promise<'account' | 'all'> {
  return limitedGroup(await headers()) === group ? 'account' : 'all';
}

export async function getAuthDeps(): Promise<AuthDeps> {
  const config = getConfig();
  return {
    db: await getDatabase(config.database),
    kv: getKeyValue(config.redis),
    later: async (task) => runAfterResponse(task),
    emails: {
      verification: (to, name, token) => sendAfterResponse(() => sendVerificationEmail(to, name, token)),
      welcome: (to, name) => sendAfterResponse(() => sendWelcomeEmail(to, name)),
      passwordReset: (to, name, token) => sendAfterResponse(() => sendPasswordResetEmail(to, name, token)),
      passwordChanged: (to, name) => sendAfterResponse(() => sendPasswordChangedEmail(to, name)),
      accountExists: (to, name) => sendAfterResponse(() => sendAccountExistsEmail(to, name)),
    },
    limits: {
      // Where middleware applied the group's per-IP limits to this request, only the account's count here.
      login: async (ip, email) => answer(await checkLoginRateLimit(ip, email, { scope: await scopeFor('login') })),
      recordFailedLogin: async (ip, email) => void (await recordFailedAttempt(ip, email)),
      resetFailedLogins: (ip, email) => resetFailedAttempts(ip, email),
      passwordReset: async (ip, email) => answer(await checkPasswordResetRateLimit(ip, email, { scope: await scopeFor('password-reset') })),
    },
  };
}

/** Starts a session for the user and sets its cookie (server actions and route handlers only). */
export async function signIn(userId: string): Promise<void> {
  const config = getConfig();
  const { token } = await createSession(getKeyValue(config.redis), userId);
  (await cookies()).set(sessionCookieName(config.isProduction), token, sessionCookieOptions(config.isProduction));
}

export async function getCurrentSession(): Promise<Session | null> {
  const config = getConfig();
  const token = (await cookies()).get(sessionCookieName(config.isProduction))?.value;
  return validateSession(getKeyValue(config.redis), token);
}

export async function getCurrentUser() {
  const session = await getCurrentSession();
  if (!session) return null;
  const user = await findUserById(await getDatabase(getConfig().database), session.userId);
  return user ? { session, user } : null;
}

/** Ends this session and clears its cookie. */
export async function signOut(): Promise<void> {
  const config = getConfig();
  const session = await getCurrentSession();
  if (session) await revokeSession(getKeyValue(config.redis), session);
  (await cookies()).delete({ name: sessionCookieName(config.isProduction), path: '/' });
}

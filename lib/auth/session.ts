/**
 * Sessions in Redis: a random 160-bit token in the cookie, only its SHA-256 stored, with a sliding expiry
 * of 30 days; each user's session hashes are indexed so all of them can be revoked at once. The cookie is
 * HttpOnly and SameSite=Lax, and Secure with the __Host- prefix in production. Node-only.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { KeyValue } from '../redis';

export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
/** A session is written back (its expiry pushed out) at most this often. */
const REFRESH_AFTER_MS = 3600 * 1000;

export interface Session {
  hash: string;
  userId: string;
  createdAt: number;
}

export function sessionCookieName(isProduction: boolean): string {
  return isProduction ? '__Host-zigznote_session' : 'zigznote_session';
}

export function sessionCookieOptions(isProduction: boolean) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: isProduction, path: '/', maxAge: SESSION_TTL_SECONDS };
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const sessionKey = (hash: string) => `auth:session:${hash}`;
const userSessionsKey = (userId: string) => `auth:user-sessions:${userId}`;

export async function createSession(kv: KeyValue, userId: string): Promise<{ token: string; session: Session }> {
  const token = randomBytes(20).toString('base64url');
  const session: Session = { hash: hashOf(token), userId, createdAt: Date.now() };
  await kv.setWithTtl(sessionKey(session.hash), JSON.stringify({ userId, createdAt: session.createdAt, refreshedAt: Date.now() }), SESSION_TTL_SECONDS);
  await kv.addToSet(userSessionsKey(userId), session.hash, SESSION_TTL_SECONDS);
  return { token, session };
}

export async function validateSession(kv: KeyValue, token: string | undefined): Promise<Session | null> {
  if (!token || !/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
  const hash = hashOf(token);
  const stored = await kv.get(sessionKey(hash));
  if (!stored) return null;
  const data = JSON.parse(stored) as { userId: string; createdAt: number; refreshedAt: number };
  if (Date.now() - data.refreshedAt > REFRESH_AFTER_MS) {
    await kv.setWithTtl(sessionKey(hash), JSON.stringify({ ...data, refreshedAt: Date.now() }), SESSION_TTL_SECONDS);
    await kv.expire(userSessionsKey(data.userId), SESSION_TTL_SECONDS);
  }
  return { hash, userId: data.userId, createdAt: data.createdAt };
}

export async function revokeSession(kv: KeyValue, session: Session): Promise<void> {
  await kv.del(sessionKey(session.hash));
  await kv.removeFromSet(userSessionsKey(session.userId), session.hash);
}

/** Ends every session of the user, except `keep` (the one changing its password, say). */
export async function revokeUserSessions(kv: KeyValue, userId: string, keep?: Session): Promise<number> {
  const hashes = (await kv.members(userSessionsKey(userId))).filter((hash) => hash !== keep?.hash);
  await kv.del(...hashes.map(sessionKey));
  await kv.removeFromSet(userSessionsKey(userId), ...hashes);
  return hashes.length;
}

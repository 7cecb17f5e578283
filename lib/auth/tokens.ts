/**
 * Email verification and password reset tokens: 256 random bits sent to the user, only their SHA-256
 * kept (in Redis, with a TTL: 24 hours to verify, 1 hour to reset or unlock). Single use: redeeming reads and
 * deletes in one step. Issuing a new token for a user invalidates the one before. Node-only.
 */
import { randomBytes } from 'node:crypto';
import type { KeyValue } from '../redis';
import { sha256Hex } from '../runtime';

export type TokenPurpose = 'verify-email' | 'reset-password' | 'unlock-account';

export const TOKEN_TTL_SECONDS: Record<TokenPurpose, number> = {
  'verify-email': 24 * 3600,
  'reset-password': 3600,
  'unlock-account': 3600,
};

export function hashToken(token: string): string {
  return sha256Hex(token);
}

const tokenKey = (purpose: TokenPurpose, hash: string) => `auth:token:${purpose}:${hash}`;
const latestKey = (purpose: TokenPurpose, userId: string) => `auth:token-latest:${purpose}:${userId}`;

export async function issueToken(kv: KeyValue, purpose: TokenPurpose, userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const hash = hashToken(token);
  const ttl = TOKEN_TTL_SECONDS[purpose];
  await kv.setWithTtl(tokenKey(purpose, hash), userId, ttl);
  // Whatever token this one displaces stops working.
  const displaced = await kv.swap(latestKey(purpose, userId), hash, ttl);
  if (displaced && displaced !== hash) await kv.del(tokenKey(purpose, displaced));
  return token;
}

/** The user the token was issued to, once; null for an unknown, expired, replaced or used token. */
export async function redeemToken(kv: KeyValue, purpose: TokenPurpose, token: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  return kv.take(tokenKey(purpose, hashToken(token)));
}

/** The user a live token belongs to, without using it up: for cheap checks before expensive work. */
export async function peekToken(kv: KeyValue, purpose: TokenPurpose, token: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  return kv.get(tokenKey(purpose, hashToken(token)));
}

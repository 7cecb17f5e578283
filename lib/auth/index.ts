/**
 * Accounts: users in Postgres, sessions and single-use tokens in Redis, scrypt password hashes, and the
 * flows behind the auth forms (sign up, verify, log in, reset, change password). Node-only, except
 * ./schemas (zod) which is Edge-safe.
 */
export * from './flows';
export * from './schemas';
export { hashPassword, verifyPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password';
export {
  createSession,
  validateSession,
  revokeSession,
  revokeUserSessions,
  sessionCookieName,
  sessionCookieOptions,
  SESSION_TTL_SECONDS,
  type Session,
} from './session';
export { issueToken, redeemToken, hashToken, TOKEN_TTL_SECONDS, type TokenPurpose } from './tokens';
export { findUserByEmail, findUserById, createUser } from './users';

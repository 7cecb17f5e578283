/**
 * Accounts: users in Postgres, sessions and single-use tokens in Redis, scrypt password hashes, the flows
 * behind the auth forms (sign up, verify, log in, reset, change password), and their wiring to this
 * process's services (./server). What the rest of the app imports on Node; middleware imports ./edge,
 * client components ./client.
 */
export * from './flows';
export * from './schemas';
export { hashPassword, verifyPassword, PASSWORD_MAX_LENGTH } from './password';
export {
  createSession,
  validateSession,
  revokeSession,
  revokeUserSessions,
  sessionCookieName,
  listSessions,
  revokeSessionById,
  sessionPublicId,
  type Session,
  type SessionListing,
} from './session';
export * from './server';
export { formAction, type FormState } from './form-action';
export { userIdOfSession } from './session-user';
export { issueToken, redeemToken, hashToken } from './tokens';
export { findUserByEmail, createUser } from './users';

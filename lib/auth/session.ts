/**
 * Sessions in Redis. The cookie holds `<userId>.<secret>` (160 random bits); only the secret's SHA-256 is
 * stored. Every key of one user's sessions shares the hash tag `{u:<userId>}`, so on a Redis Cluster each
 * operation below is one atomic script on one slot (no CROSSSLOT). It guarantees:
 * - a session slides (30 days idle) but never outlives its absolute lifetime (90 days by default);
 * - a refresh never recreates a revoked session (the script refreshes only a key it just read);
 * - revoking all sessions also ends sessions whose password check began before the revocation, even if
 *   they are written after it: the user's "valid after" time is compared with when the login was checked;
 * - a user holds at most 50 sessions; creating one more drops the oldest.
 * The cookie is HttpOnly and SameSite=Lax, and Secure with the __Host- prefix in production. Node-only.
 */
import { randomBytes } from 'node:crypto';
import { RedisKeyValue, type KeyValue, type RedisConnection } from '../redis';
import { processState } from '../runtime/process-state';
export { sessionCookieName } from './cookie-names';
import { sha256Hex } from '../runtime/hashing';

export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
export const SESSION_ABSOLUTE_LIFETIME_SECONDS = 90 * 24 * 3600;
export const MAX_SESSIONS_PER_USER = 50;
/** A session is written back (its expiry pushed out) at most this often. */
const REFRESH_AFTER_MS = 3600 * 1000;

export interface Session {
  hash: string;
  userId: string;
  createdAt: number;
  /** Seconds this session has left, for the cookie's Max-Age. */
  expiresInSeconds: number;
  /** True when this validation pushed the expiry out (the cookie should be re-issued). */
  refreshed: boolean;
}

export interface SessionLifetime {
  idleSeconds: number;
  absoluteSeconds: number;
}

const DEFAULT_LIFETIME: SessionLifetime = { idleSeconds: SESSION_TTL_SECONDS, absoluteSeconds: SESSION_ABSOLUTE_LIFETIME_SECONDS };

export function sessionCookieOptions(isProduction: boolean, maxAgeSeconds = SESSION_TTL_SECONDS) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: isProduction, path: '/', maxAge: maxAgeSeconds };
}

const TOKEN_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{20,64})$/;

export const hashSessionSecret = (secret: string) => sha256Hex(secret);

/** Whether a cookie value could be a session token at all: anything else is refused without Redis. */
export const isSessionTokenShaped = (token: string | undefined): token is string => token !== undefined && TOKEN_PATTERN.test(token);

/** One user's session records, behind one atomic operation each. */
interface SessionStore {
  create(userId: string, hash: string, now: number, authenticatedAt: number, lifetime: SessionLifetime): Promise<boolean>;
  validate(userId: string, hash: string, now: number, lifetime: SessionLifetime): Promise<{ createdAt: number; ttlMs: number; refreshed: boolean } | null>;
  revoke(userId: string, hash: string): Promise<void>;
  revokeAll(userId: string, now: number, keepHash: string | null, lifetime: SessionLifetime): Promise<number>;
}

const prefix = (userId: string) => `auth:{u:${userId}}:`;

// Session value: "createdAt:authenticatedAt:refreshedAt" (ms). KEYS: the user's set of sessions
// (zset by creation time), the user's valid-after time. Session keys are built from ARGV's prefix; they
// share the hash tag, so they live on the same slot.
const CREATE_LUA = `
local now, authAt, idle, absolute, max = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local validAfter = tonumber(redis.call('GET', KEYS[2]) or '0')
if authAt < validAfter then return 0 end
local p = ARGV[1]
for _, h in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - absolute)) do redis.call('DEL', p .. 'session:' .. h) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - absolute)
redis.call('SET', p .. 'session:' .. ARGV[2], now .. ':' .. authAt .. ':' .. now, 'PX', math.min(idle, absolute))
redis.call('ZADD', KEYS[1], now, ARGV[2])
local extra = redis.call('ZCARD', KEYS[1]) - max
if extra > 0 then
  for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, extra - 1)) do redis.call('DEL', p .. 'session:' .. h) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
end
redis.call('PEXPIRE', KEYS[1], absolute)
return 1
`;

// KEYS: the session, the user's valid-after time, the user's set. Returns {createdAt, ttlMs, refreshed} or nil.
const VALIDATE_LUA = `
local value = redis.call('GET', KEYS[1])
if not value then return nil end
local createdAt, authAt, refreshedAt = string.match(value, '^(%d+):(%d+):(%d+)$')
createdAt, authAt, refreshedAt = tonumber(createdAt), tonumber(authAt), tonumber(refreshedAt)
local now, idle, refreshAfter, absolute = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local validAfter = tonumber(redis.call('GET', KEYS[2]) or '0')
local left = createdAt + absolute - now
if authAt < validAfter or left <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[5])
  return nil
end
local refreshed = 0
if now - refreshedAt > refreshAfter then
  redis.call('SET', KEYS[1], createdAt .. ':' .. authAt .. ':' .. now, 'PX', math.min(idle, left))
  refreshed = 1
end
return {createdAt, redis.call('PTTL', KEYS[1]), refreshed}
`;

// KEYS: the user's set, the user's valid-after time. ARGV: prefix, now, hash to keep ('' for none), absolute.
const REVOKE_ALL_LUA = `
local p, now, keep, absolute = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
redis.call('SET', KEYS[2], now, 'PX', absolute)
local count = 0
for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if h ~= keep then
    redis.call('DEL', p .. 'session:' .. h)
    redis.call('ZREM', KEYS[1], h)
    count = count + 1
  end
end
if keep ~= '' then
  local key = p .. 'session:' .. keep
  local value = redis.call('GET', key)
  if value then
    local createdAt, _, refreshedAt = string.match(value, '^(%d+):(%d+):(%d+)$')
    redis.call('SET', key, createdAt .. ':' .. now .. ':' .. refreshedAt, 'KEEPTTL')
  end
end
return count
`;

type ScriptedRedis = RedisConnection & {
  zigznoteSessionCreate(...args: Array<string | number>): Promise<number>;
  zigznoteSessionValidate(...args: Array<string | number>): Promise<[number, number, number] | null>;
  zigznoteSessionRevokeAll(...args: Array<string | number>): Promise<number>;
};

class RedisSessionStore implements SessionStore {
  private readonly redis: ScriptedRedis;

  constructor(redis: RedisConnection) {
    if (typeof (redis as unknown as Partial<ScriptedRedis>).zigznoteSessionCreate !== 'function') {
      redis.defineCommand('zigznoteSessionCreate', { numberOfKeys: 2, lua: CREATE_LUA });
      redis.defineCommand('zigznoteSessionValidate', { numberOfKeys: 3, lua: VALIDATE_LUA });
      redis.defineCommand('zigznoteSessionRevokeAll', { numberOfKeys: 2, lua: REVOKE_ALL_LUA });
    }
    this.redis = redis as unknown as ScriptedRedis;
  }

  async create(userId: string, hash: string, now: number, authenticatedAt: number, lifetime: SessionLifetime) {
    const p = prefix(userId);
    const created = await this.redis.zigznoteSessionCreate(
      `${p}sessions`,
      `${p}valid-after`,
      p,
      hash,
      now,
      authenticatedAt,
      lifetime.idleSeconds * 1000,
      lifetime.absoluteSeconds * 1000,
      MAX_SESSIONS_PER_USER,
    );
    return created === 1;
  }

  async validate(userId: string, hash: string, now: number, lifetime: SessionLifetime) {
    const p = prefix(userId);
    const reply = await this.redis.zigznoteSessionValidate(
      `${p}session:${hash}`,
      `${p}valid-after`,
      `${p}sessions`,
      now,
      lifetime.idleSeconds * 1000,
      REFRESH_AFTER_MS,
      lifetime.absoluteSeconds * 1000,
      hash,
    );
    if (!reply) return null;
    return { createdAt: Number(reply[0]), ttlMs: Number(reply[1]), refreshed: Number(reply[2]) === 1 };
  }

  async revoke(userId: string, hash: string) {
    const p = prefix(userId);
    await this.redis.multi().del(`${p}session:${hash}`).zrem(`${p}sessions`, hash).exec();
  }

  revokeAll(userId: string, now: number, keepHash: string | null, lifetime: SessionLifetime) {
    const p = prefix(userId);
    return this.redis.zigznoteSessionRevokeAll(`${p}sessions`, `${p}valid-after`, p, now, keepHash ?? '', lifetime.absoluteSeconds * 1000).then(Number);
  }
}

interface MemoryRecord {
  createdAt: number;
  authenticatedAt: number;
  refreshedAt: number;
  expiresAt: number;
}

/** The same semantics in process memory (development without Redis). Nothing awaits mid-operation. */
class MemorySessionStore implements SessionStore {
  private readonly users = new Map<string, { validAfter: number; sessions: Map<string, MemoryRecord> }>();

  private user(userId: string) {
    let entry = this.users.get(userId);
    if (!entry) this.users.set(userId, (entry = { validAfter: 0, sessions: new Map() }));
    return entry;
  }

  async create(userId: string, hash: string, now: number, authenticatedAt: number, lifetime: SessionLifetime) {
    const user = this.user(userId);
    if (authenticatedAt < user.validAfter) return false;
    for (const [h, record] of user.sessions) if (record.expiresAt <= now) user.sessions.delete(h);
    user.sessions.set(hash, {
      createdAt: now,
      authenticatedAt,
      refreshedAt: now,
      expiresAt: now + Math.min(lifetime.idleSeconds, lifetime.absoluteSeconds) * 1000,
    });
    const oldestFirst = [...user.sessions.entries()].sort((a, b) => a[1].createdAt - b[1].createdAt);
    for (const [h] of oldestFirst.slice(0, Math.max(0, oldestFirst.length - MAX_SESSIONS_PER_USER))) user.sessions.delete(h);
    return true;
  }

  async validate(userId: string, hash: string, now: number, lifetime: SessionLifetime) {
    const user = this.users.get(userId);
    const record = user?.sessions.get(hash);
    if (!user || !record) return null;
    const left = record.createdAt + lifetime.absoluteSeconds * 1000 - now;
    if (record.expiresAt <= now || record.authenticatedAt < user.validAfter || left <= 0) {
      user.sessions.delete(hash);
      return null;
    }
    let refreshed = false;
    if (now - record.refreshedAt > REFRESH_AFTER_MS) {
      record.refreshedAt = now;
      record.expiresAt = now + Math.min(lifetime.idleSeconds * 1000, left);
      refreshed = true;
    }
    return { createdAt: record.createdAt, ttlMs: record.expiresAt - now, refreshed };
  }

  async revoke(userId: string, hash: string) {
    this.users.get(userId)?.sessions.delete(hash);
  }

  async revokeAll(userId: string, now: number, keepHash: string | null) {
    const user = this.user(userId);
    user.validAfter = now;
    let count = 0;
    for (const [h, record] of user.sessions) {
      if (h === keepHash) record.authenticatedAt = now;
      else {
        user.sessions.delete(h);
        count++;
      }
    }
    return count;
  }
}

// Per process, not per module copy: Next bundles this file into middleware and each route, and all of
// them must see the same in-process sessions (development without Redis).
const stores = processState('session-stores', () => new WeakMap<KeyValue, SessionStore>());

function storeFor(kv: KeyValue): SessionStore {
  let store = stores.get(kv);
  if (!store) {
    store = kv instanceof RedisKeyValue ? new RedisSessionStore(kv.redis) : new MemorySessionStore();
    stores.set(kv, store);
  }
  return store;
}

export interface CreateSessionOptions {
  /**
   * When the credentials were checked (before the user's password hash was read). A revocation after this
   * time refuses the session, even if it is written later. Default: now.
   */
  authenticatedAt?: number;
  lifetime?: SessionLifetime;
  now?: number;
}

/** Starts a session; null when the user's sessions were revoked after `authenticatedAt`. */
export async function createSession(kv: KeyValue, userId: string, options: CreateSessionOptions = {}): Promise<{ token: string; session: Session } | null> {
  const secret = randomBytes(20).toString('base64url');
  const hash = hashSessionSecret(secret);
  const now = options.now ?? Date.now();
  const lifetime = options.lifetime ?? DEFAULT_LIFETIME;
  if (!(await storeFor(kv).create(userId, hash, now, options.authenticatedAt ?? now, lifetime))) return null;
  const expiresInSeconds = Math.min(lifetime.idleSeconds, lifetime.absoluteSeconds);
  return { token: `${userId}.${secret}`, session: { hash, userId, createdAt: now, expiresInSeconds, refreshed: false } };
}

export async function validateSession(
  kv: KeyValue,
  token: string | undefined,
  options: { lifetime?: SessionLifetime; now?: number } = {},
): Promise<Session | null> {
  const match = token ? TOKEN_PATTERN.exec(token) : null;
  if (!match) return null;
  const [, userId, secret] = match as unknown as [string, string, string];
  const hash = hashSessionSecret(secret);
  const found = await storeFor(kv).validate(userId, hash, options.now ?? Date.now(), options.lifetime ?? DEFAULT_LIFETIME);
  if (!found) return null;
  return { hash, userId, createdAt: found.createdAt, expiresInSeconds: Math.max(1, Math.floor(found.ttlMs / 1000)), refreshed: found.refreshed };
}

export async function revokeSession(kv: KeyValue, session: Pick<Session, 'hash' | 'userId'>): Promise<void> {
  await storeFor(kv).revoke(session.userId, session.hash);
}

/**
 * Ends every session of the user, except `keep` (the one changing its password, say), and every session
 * whose login was checked before now but is not written yet.
 */
export async function revokeUserSessions(
  kv: KeyValue,
  userId: string,
  keep?: Pick<Session, 'hash'>,
  options: { lifetime?: SessionLifetime; now?: number } = {},
): Promise<number> {
  return storeFor(kv).revokeAll(userId, options.now ?? Date.now(), keep?.hash ?? null, options.lifetime ?? DEFAULT_LIFETIME);
}

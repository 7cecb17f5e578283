/**
 * Sessions in Redis. The cookie holds `<userId>.<secret>` (160 random bits); only the secret's SHA-256 is
 * stored. Every key of one user's sessions shares the hash tag `{u:<userId>}`, so on a Redis Cluster each
 * operation below is one atomic script on one slot (no CROSSSLOT). It guarantees:
 * - a session slides (30 days idle) but never outlives its absolute lifetime (90 days by default);
 * - a refresh never recreates a revoked session (the script refreshes only a key it just read);
 * - revoking all sessions also ends sessions whose password check began before the revocation, even if
 *   they are written after it: the user's "valid after" time is compared with when the login was checked;
 * - a user holds at most 50 sessions; creating one more drops the oldest;
 * - each session keeps the device it signed in from (browser, OS, /24 or /48 network: never the address) and
 *   when it was last seen, written at most once a minute (not on every request), for the sessions page;
 * - a login reports a new device when that browser, OS and network did not sign in for 30 days, unless the
 *   user has never signed in before (a first session is not news).
 * The cookie is HttpOnly and SameSite=Lax, and Secure with the __Host- prefix in production. Node-only.
 */
import { randomBytes } from 'node:crypto';
import { RedisKeyValue, type KeyValue, type RedisConnection } from '../redis';
import { processState } from '../runtime';
export { sessionCookieName } from './cookie-names';
import { sha256Hex } from '../runtime';
import { deviceFingerprint, type SessionDevice } from './device';
export type { SessionDevice } from './device';

export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
export const SESSION_ABSOLUTE_LIFETIME_SECONDS = 90 * 24 * 3600;
export const MAX_SESSIONS_PER_USER = 50;
/** A session is written back (its expiry pushed out) at most this often. */
const REFRESH_AFTER_MS = 3600 * 1000;
/** Its last-seen time is written at most this often: a page view is not a Redis write. */
export const LAST_SEEN_EVERY_MS = 60 * 1000;
/** A device (browser, OS, network) not seen for this long is new again. */
export const NEW_DEVICE_AFTER_MS = 30 * 24 * 3600 * 1000;
/** How long the devices a user signed in from are remembered, and how many at most. */
const DEVICE_MEMORY_MS = 400 * 24 * 3600 * 1000;
const MAX_REMEMBERED_DEVICES = 100;

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

const DEFAULT_LIFETIME: SessionLifetime = {
  idleSeconds: SESSION_TTL_SECONDS,
  absoluteSeconds: SESSION_ABSOLUTE_LIFETIME_SECONDS,
};

export function sessionCookieOptions(isProduction: boolean, maxAgeSeconds = SESSION_TTL_SECONDS) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: isProduction, path: '/', maxAge: maxAgeSeconds };
}

const TOKEN_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{20,64})$/;

export const hashSessionSecret = (secret: string) => sha256Hex(secret);

/** Whether a cookie value could be a session token at all: anything else is refused without Redis. */
export const isSessionTokenShaped = (token: string | undefined): token is string =>
  token !== undefined && TOKEN_PATTERN.test(token);

interface StoredSession {
  hash: string;
  createdAt: number;
  lastSeenAt: number;
  device: SessionDevice | null;
}

/** 'refused': revoked after the login was checked; 'new-device': created, from a device not seen lately. */
type CreateOutcome = 'refused' | 'created' | 'new-device';

/** One user's session records, behind one atomic operation each. */
/** What a store needs to make a session: when, since when the user is authenticated, for how long, from what. */
interface NewSession {
  now: number;
  authenticatedAt: number;
  lifetime: SessionLifetime;
  device: SessionDevice | null;
}

interface SessionStore {
  create(userId: string, hash: string, session: NewSession): Promise<CreateOutcome>;
  validate(
    userId: string,
    hash: string,
    now: number,
    lifetime: SessionLifetime,
  ): Promise<{ createdAt: number; ttlMs: number; refreshed: boolean } | null>;
  revoke(userId: string, hash: string): Promise<void>;
  revokeAll(userId: string, now: number, keepHash: string | null, lifetime: SessionLifetime): Promise<number>;
  list(userId: string, now: number): Promise<StoredSession[]>;
}

const prefix = (userId: string) => `auth:{u:${userId}}:`;

// Session value: "createdAt:authenticatedAt:refreshedAt" (ms). KEYS: the user's set of sessions (zset by
// creation time), valid-after time, session devices (hash: session -> JSON), last-seen times (hash), and
// known devices (hash: fingerprint -> last sign-in). Session keys are built from ARGV's prefix; they share
// the hash tag, so they live on the same slot. Returns 0 (refused), 1 (created), 2 (created, new device).
const CREATE_LUA = `
local now, authAt, idle, absolute, max = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local validAfter = tonumber(redis.call('GET', KEYS[2]) or '0')
if authAt < validAfter then return 0 end
local p = ARGV[1]
local function forget(h)
  redis.call('DEL', p .. 'session:' .. h)
  redis.call('ZREM', KEYS[1], h)
  redis.call('HDEL', KEYS[3], h)
  redis.call('HDEL', KEYS[4], h)
end
for _, h in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - absolute)) do forget(h) end
redis.call('SET', p .. 'session:' .. ARGV[2], now .. ':' .. authAt .. ':' .. now, 'PX', math.min(idle, absolute))
redis.call('ZADD', KEYS[1], now, ARGV[2])
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], ARGV[2], ARGV[8]) end
redis.call('HSET', KEYS[4], ARGV[2], now)
local extra = redis.call('ZCARD', KEYS[1]) - max
if extra > 0 then
  for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, extra - 1)) do forget(h) end
end
redis.call('PEXPIRE', KEYS[1], absolute)
redis.call('PEXPIRE', KEYS[3], absolute)
redis.call('PEXPIRE', KEYS[4], absolute)
local outcome = 1
local fingerprint = ARGV[9]
if fingerprint ~= '' then
  local window, memory, most = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
  local last = redis.call('HGET', KEYS[5], fingerprint)
  if redis.call('HLEN', KEYS[5]) > 0 and (not last or now - tonumber(last) > window) then outcome = 2 end
  redis.call('HSET', KEYS[5], fingerprint, now)
  local all, kept = redis.call('HGETALL', KEYS[5]), {}
  for i = 1, #all, 2 do
    local seen = tonumber(all[i + 1])
    if now - seen > window then redis.call('HDEL', KEYS[5], all[i]) else kept[#kept + 1] = {all[i], seen} end
  end
  if #kept > most then
    table.sort(kept, function(a, b) return a[2] < b[2] end)
    for i = 1, #kept - most do redis.call('HDEL', KEYS[5], kept[i][1]) end
  end
  redis.call('PEXPIRE', KEYS[5], memory)
end
return outcome
`;

// KEYS: the session, the user's valid-after time, the user's set, session devices, last-seen times.
// Returns {createdAt, ttlMs, refreshed} or nil.
const VALIDATE_LUA = `
local value = redis.call('GET', KEYS[1])
if not value then return nil end
local createdAt, authAt, refreshedAt = string.match(value, '^(%d+):(%d+):(%d+)$')
createdAt, authAt, refreshedAt = tonumber(createdAt), tonumber(authAt), tonumber(refreshedAt)
local now, idle, refreshAfter, absolute, seenEvery = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[6])
local validAfter = tonumber(redis.call('GET', KEYS[2]) or '0')
local left = createdAt + absolute - now
if authAt < validAfter or left <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[5])
  redis.call('HDEL', KEYS[4], ARGV[5])
  redis.call('HDEL', KEYS[5], ARGV[5])
  return nil
end
local refreshed = 0
if now - refreshedAt > refreshAfter then
  redis.call('SET', KEYS[1], createdAt .. ':' .. authAt .. ':' .. now, 'PX', math.min(idle, left))
  refreshed = 1
end
if now - tonumber(redis.call('HGET', KEYS[5], ARGV[5]) or '0') >= seenEvery then
  redis.call('HSET', KEYS[5], ARGV[5], now)
  redis.call('PEXPIRE', KEYS[5], absolute)
end
return {createdAt, redis.call('PTTL', KEYS[1]), refreshed}
`;

// KEYS: the user's set, valid-after time, session devices, last-seen times. ARGV: prefix, now, hash to keep
// ('' for none), absolute.
const REVOKE_ALL_LUA = `
local p, now, keep, absolute = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
redis.call('SET', KEYS[2], now, 'PX', absolute)
local count = 0
for _, h in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if h ~= keep then
    redis.call('DEL', p .. 'session:' .. h)
    redis.call('ZREM', KEYS[1], h)
    redis.call('HDEL', KEYS[3], h)
    redis.call('HDEL', KEYS[4], h)
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

// KEYS: the user's set, session devices, last-seen times. ARGV: prefix. Returns the live sessions, flat:
// hash, createdAt, device JSON or '', last seen or ''. Entries whose session key expired are cleared.
const LIST_LUA = `
local out = {}
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  local h = entries[i]
  if redis.call('EXISTS', ARGV[1] .. 'session:' .. h) == 1 then
    out[#out + 1] = h
    out[#out + 1] = entries[i + 1]
    out[#out + 1] = redis.call('HGET', KEYS[2], h) or ''
    out[#out + 1] = redis.call('HGET', KEYS[3], h) or ''
  else
    redis.call('ZREM', KEYS[1], h)
    redis.call('HDEL', KEYS[2], h)
    redis.call('HDEL', KEYS[3], h)
  end
end
return out
`;

type ScriptedRedis = RedisConnection & {
  zigznoteSessionCreate(...args: Array<string | number>): Promise<number>;
  zigznoteSessionValidate(...args: Array<string | number>): Promise<[number, number, number] | null>;
  zigznoteSessionRevokeAll(...args: Array<string | number>): Promise<number>;
  zigznoteSessionList(...args: Array<string | number>): Promise<string[]>;
};

const OUTCOMES: Record<number, CreateOutcome> = { 0: 'refused', 1: 'created', 2: 'new-device' };

function parseDevice(json: string): SessionDevice | null {
  if (json === '') return null;
  try {
    const value = JSON.parse(json) as Partial<SessionDevice>;
    if (typeof value.browser === 'string' && typeof value.os === 'string' && typeof value.network === 'string') {
      return { browser: value.browser, os: value.os, network: value.network };
    }
  } catch {
    // a record written by hand or by a future version: shown as an unknown device
  }
  return null;
}

class RedisSessionStore implements SessionStore {
  private readonly redis: ScriptedRedis;

  constructor(redis: RedisConnection) {
    if (typeof (redis as unknown as Partial<ScriptedRedis>).zigznoteSessionList !== 'function') {
      redis.defineCommand('zigznoteSessionCreate', { numberOfKeys: 5, lua: CREATE_LUA });
      redis.defineCommand('zigznoteSessionValidate', { numberOfKeys: 5, lua: VALIDATE_LUA });
      redis.defineCommand('zigznoteSessionRevokeAll', { numberOfKeys: 4, lua: REVOKE_ALL_LUA });
      redis.defineCommand('zigznoteSessionList', { numberOfKeys: 3, lua: LIST_LUA });
    }
    this.redis = redis as unknown as ScriptedRedis;
  }

  async create(userId: string, hash: string, { now, authenticatedAt, lifetime, device }: NewSession) {
    const p = prefix(userId);
    const outcome = await this.redis.zigznoteSessionCreate(
      `${p}sessions`,
      `${p}valid-after`,
      `${p}session-devices`,
      `${p}session-seen`,
      `${p}devices`,
      p,
      hash,
      now,
      authenticatedAt,
      lifetime.idleSeconds * 1000,
      lifetime.absoluteSeconds * 1000,
      MAX_SESSIONS_PER_USER,
      device ? JSON.stringify(device) : '',
      device ? deviceFingerprint(device) : '',
      NEW_DEVICE_AFTER_MS,
      DEVICE_MEMORY_MS,
      MAX_REMEMBERED_DEVICES,
    );
    return OUTCOMES[Number(outcome)] ?? 'refused';
  }

  async validate(userId: string, hash: string, now: number, lifetime: SessionLifetime) {
    const p = prefix(userId);
    const reply = await this.redis.zigznoteSessionValidate(
      `${p}session:${hash}`,
      `${p}valid-after`,
      `${p}sessions`,
      `${p}session-devices`,
      `${p}session-seen`,
      now,
      lifetime.idleSeconds * 1000,
      REFRESH_AFTER_MS,
      lifetime.absoluteSeconds * 1000,
      hash,
      LAST_SEEN_EVERY_MS,
    );
    if (!reply) return null;
    return { createdAt: Number(reply[0]), ttlMs: Number(reply[1]), refreshed: Number(reply[2]) === 1 };
  }

  async revoke(userId: string, hash: string) {
    const p = prefix(userId);
    await this.redis
      .multi()
      .del(`${p}session:${hash}`)
      .zrem(`${p}sessions`, hash)
      .hdel(`${p}session-devices`, hash)
      .hdel(`${p}session-seen`, hash)
      .exec();
  }

  revokeAll(userId: string, now: number, keepHash: string | null, lifetime: SessionLifetime) {
    const p = prefix(userId);
    return this.redis
      .zigznoteSessionRevokeAll(
        `${p}sessions`,
        `${p}valid-after`,
        `${p}session-devices`,
        `${p}session-seen`,
        p,
        now,
        keepHash ?? '',
        lifetime.absoluteSeconds * 1000,
      )
      .then(Number);
  }

  async list(userId: string) {
    const p = prefix(userId);
    const flat = await this.redis.zigznoteSessionList(`${p}sessions`, `${p}session-devices`, `${p}session-seen`, p);
    const sessions: StoredSession[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const createdAt = Number(flat[i + 1]);
      sessions.push({
        hash: flat[i]!,
        createdAt,
        device: parseDevice(flat[i + 2]!),
        lastSeenAt: Number(flat[i + 3] || createdAt),
      });
    }
    return sessions;
  }
}

interface MemoryRecord {
  createdAt: number;
  authenticatedAt: number;
  refreshedAt: number;
  expiresAt: number;
  lastSeenAt: number;
  device: SessionDevice | null;
}

interface MemoryUser {
  validAfter: number;
  sessions: Map<string, MemoryRecord>;
  /** fingerprint -> last sign-in */
  devices: Map<string, number>;
}

/** The same semantics in process memory (development without Redis). Nothing awaits mid-operation. */
class MemorySessionStore implements SessionStore {
  private readonly users = new Map<string, MemoryUser>();

  private user(userId: string) {
    let entry = this.users.get(userId);
    if (!entry) this.users.set(userId, (entry = { validAfter: 0, sessions: new Map(), devices: new Map() }));
    return entry;
  }

  async create(userId: string, hash: string, { now, authenticatedAt, lifetime, device }: NewSession) {
    const user = this.user(userId);
    if (authenticatedAt < user.validAfter) return 'refused';
    for (const [h, record] of user.sessions) if (record.expiresAt <= now) user.sessions.delete(h);
    user.sessions.set(hash, {
      createdAt: now,
      authenticatedAt,
      refreshedAt: now,
      expiresAt: now + Math.min(lifetime.idleSeconds, lifetime.absoluteSeconds) * 1000,
      lastSeenAt: now,
      device,
    });
    const oldestFirst = [...user.sessions.entries()].sort((a, b) => a[1].createdAt - b[1].createdAt);
    for (const [h] of oldestFirst.slice(0, Math.max(0, oldestFirst.length - MAX_SESSIONS_PER_USER)))
      user.sessions.delete(h);
    if (!device) return 'created';
    const fingerprint = deviceFingerprint(device);
    const last = user.devices.get(fingerprint);
    const isNew = user.devices.size > 0 && (last === undefined || now - last > NEW_DEVICE_AFTER_MS);
    user.devices.set(fingerprint, now);
    for (const [known, seen] of user.devices) if (now - seen > NEW_DEVICE_AFTER_MS) user.devices.delete(known);
    const oldestDevices = [...user.devices.entries()].sort((a, b) => a[1] - b[1]);
    for (const [known] of oldestDevices.slice(0, Math.max(0, oldestDevices.length - MAX_REMEMBERED_DEVICES)))
      user.devices.delete(known);
    return isNew ? 'new-device' : 'created';
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
    if (now - record.lastSeenAt >= LAST_SEEN_EVERY_MS) record.lastSeenAt = now;
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

  async list(userId: string, now: number) {
    const user = this.users.get(userId);
    if (!user) return [];
    const live: StoredSession[] = [];
    for (const [hash, record] of user.sessions) {
      if (record.expiresAt <= now) user.sessions.delete(hash);
      else live.push({ hash, createdAt: record.createdAt, lastSeenAt: record.lastSeenAt, device: record.device });
    }
    return live.sort((a, b) => a.createdAt - b.createdAt);
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
  /** Where the login came from, for the sessions page and the new-device check. Default: none recorded. */
  device?: SessionDevice;
}

export interface CreatedSession {
  token: string;
  session: Session;
  /** The device (browser, OS, network) did not sign in to this account in 30 days, and it is not the first. */
  newDevice: boolean;
}

/** Starts a session; null when the user's sessions were revoked after `authenticatedAt`. */
export async function createSession(
  kv: KeyValue,
  userId: string,
  options: CreateSessionOptions = {},
): Promise<CreatedSession | null> {
  const secret = randomBytes(20).toString('base64url');
  const hash = hashSessionSecret(secret);
  const now = options.now ?? Date.now();
  const lifetime = options.lifetime ?? DEFAULT_LIFETIME;
  const outcome = await storeFor(kv).create(userId, hash, {
    now,
    authenticatedAt: options.authenticatedAt ?? now,
    lifetime,
    device: options.device ?? null,
  });
  if (outcome === 'refused') return null;
  const expiresInSeconds = Math.min(lifetime.idleSeconds, lifetime.absoluteSeconds);
  return {
    token: `${userId}.${secret}`,
    session: { hash, userId, createdAt: now, expiresInSeconds, refreshed: false },
    newDevice: outcome === 'new-device',
  };
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
  const found = await storeFor(kv).validate(
    userId,
    hash,
    options.now ?? Date.now(),
    options.lifetime ?? DEFAULT_LIFETIME,
  );
  if (!found) return null;
  return {
    hash,
    userId,
    createdAt: found.createdAt,
    expiresInSeconds: Math.max(1, Math.floor(found.ttlMs / 1000)),
    refreshed: found.refreshed,
  };
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
  return storeFor(kv).revokeAll(
    userId,
    options.now ?? Date.now(),
    keep?.hash ?? null,
    options.lifetime ?? DEFAULT_LIFETIME,
  );
}

/**
 * The id a session is shown and revoked by: derived from its stored hash, so a page never carries the hash
 * the store is keyed by, and an id means nothing for another user's sessions.
 */
export function sessionPublicId(hash: string): string {
  return sha256Hex(`session-id:${hash}`).slice(0, 32);
}

export interface SessionListing {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  /** Null for a session started before devices were recorded. */
  device: SessionDevice | null;
  current: boolean;
}

/** The user's live sessions, newest first; `current` marks the one asking. */
export async function listSessions(
  kv: KeyValue,
  current: Pick<Session, 'hash' | 'userId'>,
  options: { now?: number } = {},
): Promise<SessionListing[]> {
  const sessions = await storeFor(kv).list(current.userId, options.now ?? Date.now());
  return sessions
    .map((s) => ({
      id: sessionPublicId(s.hash),
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      device: s.device,
      current: s.hash === current.hash,
    }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Ends the user's session with this public id. False when the user has no such session (another user's id,
 * a forged or stale one): the caller answers all of them alike.
 */
export async function revokeSessionById(kv: KeyValue, userId: string, id: string): Promise<boolean> {
  if (!/^[0-9a-f]{32}$/.test(id)) return false;
  const found = (await storeFor(kv).list(userId, Date.now())).find((s) => sessionPublicId(s.hash) === id);
  if (!found) return false;
  await storeFor(kv).revoke(userId, found.hash);
  return true;
}

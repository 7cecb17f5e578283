import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createSession,
  issueToken,
  redeemToken,
  revokeSession,
  revokeUserSessions,
  validateSession,
  hashToken,
} from '@/lib/auth';
import { MAX_SESSIONS_PER_USER, type CreateSessionOptions } from '@/lib/auth/session';
import { loadConfig } from '@/lib/config';
import { getRedis, RedisKeyValue, type KeyValue } from '@/lib/redis';
import { keyValueStores } from '../../support/key-value-stores';

const config = loadConfig(process.env);
const { redisKv, stores } = keyValueStores();

async function started(kv: KeyValue, userId: string, options: CreateSessionOptions = {}) {
  const created = await createSession(kv, userId, options);
  if (!created) throw new Error('session refused');
  return created;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

for (const [name, store] of stores) {
  describe(`sessions (${name})`, () => {
    it('stores only the SHA-256 of a secret of at least 120 bits', async () => {
      const userId = randomUUID();
      const { token, session } = await started(store(), userId);
      const [cookieUser, secret] = token.split('.') as [string, string];
      expect(cookieUser).toBe(userId);
      expect(Buffer.from(secret, 'base64url').length * 8).toBeGreaterThanOrEqual(120);
      expect(session.hash).toBe(createHash('sha256').update(secret).digest('hex'));
      if (name !== 'in-process') {
        const redis = store() as RedisKeyValue;
        expect(await redis.get(`auth:{u:${userId}}:session:${session.hash}`)).toMatch(/^\d+:\d+:\d+$/);
        expect(await redis.get(`auth:{u:${userId}}:session:${secret}`)).toBeNull();
      }
    });

    it('validates a live token and refuses unknown, forged or malformed ones', async () => {
      const userId = randomUUID();
      const { token } = await started(store(), userId);
      expect(await validateSession(store(), token)).toMatchObject({ userId });
      expect(await validateSession(store(), `${token.slice(0, -2)}xx`)).toBeNull();
      // the same secret under another user's id finds nothing
      expect(await validateSession(store(), `${randomUUID()}.${token.split('.')[1]}`)).toBeNull();
      expect(await validateSession(store(), 'not a token')).toBeNull();
      expect(await validateSession(store(), undefined)).toBeNull();
    });

    it('revokes one session, or every session of a user but the one kept', async () => {
      const userId = randomUUID();
      const a = await started(store(), userId);
      const b = await started(store(), userId);
      const c = await started(store(), userId);
      await revokeSession(store(), a.session);
      expect(await validateSession(store(), a.token)).toBeNull();
      expect(await revokeUserSessions(store(), userId, c.session)).toBe(1);
      expect(await validateSession(store(), b.token)).toBeNull();
      expect(await validateSession(store(), c.token)).not.toBeNull();
    });

    it('never lets a refresh bring back a session revoked at the same moment', async () => {
      for (let round = 0; round < 25; round++) {
        const userId = randomUUID();
        const { token } = await started(store(), userId);
        // two hours on: every validation below wants to write the session back
        const later = { now: Date.now() + 2 * HOUR };
        await Promise.all([
          ...Array.from({ length: 5 }, () => validateSession(store(), token, later)),
          revokeUserSessions(store(), userId),
          ...Array.from({ length: 5 }, () => validateSession(store(), token, later)),
        ]);
        expect(await validateSession(store(), token, later)).toBeNull();
      }
    });

    it('refuses a session whose login was checked before a revocation, even when written after it', async () => {
      const userId = randomUUID();
      const passwordCheckedAt = Date.now();
      await revokeUserSessions(store(), userId, undefined, { now: passwordCheckedAt + 5 });
      expect(await createSession(store(), userId, { authenticatedAt: passwordCheckedAt })).toBeNull();
      // a login checked after the reset is fine
      expect(
        await createSession(store(), userId, { authenticatedAt: passwordCheckedAt + 10, now: passwordCheckedAt + 10 }),
      ).not.toBeNull();
    });

    it('keeps the session that changed the password valid after revoking the rest', async () => {
      const userId = randomUUID();
      const here = await started(store(), userId);
      const elsewhere = await started(store(), userId);
      await revokeUserSessions(store(), userId, here.session, { now: Date.now() + 1_000 });
      expect(await validateSession(store(), here.token, { now: Date.now() + 2_000 })).not.toBeNull();
      expect(await validateSession(store(), elsewhere.token)).toBeNull();
    });

    it('slides, re-reporting its life for the cookie, but ends at its absolute lifetime', async () => {
      const userId = randomUUID();
      const lifetime = { idleSeconds: 30 * 24 * 3600, absoluteSeconds: 40 * 24 * 3600 };
      const t0 = Date.now();
      const { token } = await started(store(), userId, { lifetime, now: t0 });
      expect(await validateSession(store(), token, { lifetime, now: t0 + 10 * 60_000 })).toMatchObject({
        refreshed: false,
      });
      // 20 days on: refreshed, and its life is capped by the 40-day limit (20 days left), not 30 more days
      const refreshed = await validateSession(store(), token, { lifetime, now: t0 + 20 * DAY });
      expect(refreshed).toMatchObject({ refreshed: true });
      expect(refreshed!.expiresInSeconds).toBeLessThanOrEqual(20 * 24 * 3600 + 1);
      expect(refreshed!.expiresInSeconds).toBeGreaterThan(19 * 24 * 3600);
      expect(await validateSession(store(), token, { lifetime, now: t0 + 40 * DAY + 1 })).toBeNull();
      expect(await validateSession(store(), token, { lifetime, now: t0 + 20 * DAY })).toBeNull();
    });

    it('holds at most 50 sessions per user, dropping the oldest', async () => {
      const userId = randomUUID();
      const t0 = Date.now();
      const sessions = [];
      for (let i = 0; i < MAX_SESSIONS_PER_USER + 1; i++)
        sessions.push(await started(store(), userId, { now: t0 + i }));
      expect(await validateSession(store(), sessions[0]!.token)).toBeNull();
      expect(await validateSession(store(), sessions[1]!.token)).not.toBeNull();
      expect(await validateSession(store(), sessions.at(-1)!.token)).not.toBeNull();
      expect(await revokeUserSessions(store(), userId)).toBe(MAX_SESSIONS_PER_USER);
    });
  });

  describe(`verification and reset tokens (${name})`, () => {
    it('are single use', async () => {
      const token = await issueToken(store(), 'verify-email', 'user-3');
      expect(await redeemToken(store(), 'verify-email', token)).toBe('user-3');
      expect(await redeemToken(store(), 'verify-email', token)).toBeNull();
    });

    it('are invalidated by a newer one', async () => {
      const first = await issueToken(store(), 'reset-password', 'user-4');
      const second = await issueToken(store(), 'reset-password', 'user-4');
      expect(await redeemToken(store(), 'reset-password', first)).toBeNull();
      expect(await redeemToken(store(), 'reset-password', second)).toBe('user-4');
    });

    it('work only for their purpose', async () => {
      const token = await issueToken(store(), 'verify-email', 'user-5');
      expect(await redeemToken(store(), 'reset-password', token)).toBeNull();
      expect(await redeemToken(store(), 'verify-email', token)).toBe('user-5');
    });

    it('give one winner when redeemed twice at once', async () => {
      const token = await issueToken(store(), 'reset-password', 'user-6');
      const results = await Promise.all([
        redeemToken(store(), 'reset-password', token),
        redeemToken(store(), 'reset-password', token),
      ]);
      expect(results.filter((r) => r === 'user-6')).toHaveLength(1);
    });
  });
}

describe('token expiry in Redis', () => {
  it('keeps verification tokens 24 hours and reset tokens 1 hour, stored hashed', async () => {
    const redis = getRedis(config.redis as Exclude<typeof config.redis, { kind: 'memory' }>);
    const verify = await issueToken(redisKv, 'verify-email', 'user-7');
    const reset = await issueToken(redisKv, 'reset-password', 'user-7');
    const verifyTtl = await redis.ttl(`auth:token:verify-email:${hashToken(verify)}`);
    const resetTtl = await redis.ttl(`auth:token:reset-password:${hashToken(reset)}`);
    expect(verifyTtl).toBeGreaterThan(24 * 3600 - 10);
    expect(verifyTtl).toBeLessThanOrEqual(24 * 3600);
    expect(resetTtl).toBeGreaterThan(3600 - 10);
    expect(resetTtl).toBeLessThanOrEqual(3600);
    expect(await redis.exists(`auth:token:reset-password:${reset}`)).toBe(0);
  });

  it('refuses an expired token', async () => {
    const token = await issueToken(redisKv, 'reset-password', 'user-8');
    await redisKv.expire(`auth:token:reset-password:${hashToken(token)}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await redeemToken(redisKv, 'reset-password', token)).toBeNull();
  });
});

describe('sliding session expiry in Redis', () => {
  it('pushes the expiry out when a session is used after an hour, and not before', async () => {
    const redis = getRedis(config.redis as Exclude<typeof config.redis, { kind: 'memory' }>);
    const userId = randomUUID();
    const { token, session } = await started(redisKv, userId);
    const key = `auth:{u:${userId}}:session:${session.hash}`;
    await redis.expire(key, 3_600);
    await validateSession(redisKv, token);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(3_600);
    const [createdAt, authenticatedAt] = (await redis.get(key))!.split(':');
    await redis.set(key, `${createdAt}:${authenticatedAt}:${Date.now() - 2 * 3_600_000}`, 'EX', 3_600);
    expect(await validateSession(redisKv, token)).toMatchObject({ userId, refreshed: true });
    expect(await redis.ttl(key)).toBeGreaterThan(29 * 24 * 3_600);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { createSession, issueToken, redeemToken, revokeSession, revokeUserSessions, validateSession, hashToken } from '@/lib/auth';
import { loadConfig } from '@/lib/config';
import { closeRedis, getKeyValue, getRedis, MemoryKeyValue, type KeyValue } from '@/lib/redis';

const config = loadConfig(process.env);
const redisKv = getKeyValue(config.redis);

afterAll(async () => {
  await closeRedis();
});

for (const [name, kv] of [['Redis', redisKv], ['in-process', new MemoryKeyValue()]] as Array<[string, KeyValue]>) {
  describe(`sessions (${name})`, () => {
    it('stores only the SHA-256 of a token of at least 120 bits', async () => {
      const { token, session } = await createSession(kv, 'user-1');
      expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(120);
      expect(session.hash).toBe(hashToken(token));
      expect(await kv.get(`auth:session:${token}`)).toBeNull();
      expect(await kv.get(`auth:session:${session.hash}`)).toContain('user-1');
    });

    it('validates a live token and refuses unknown or malformed ones', async () => {
      const { token } = await createSession(kv, 'user-2');
      expect(await validateSession(kv, token)).toMatchObject({ userId: 'user-2' });
      expect(await validateSession(kv, `${token.slice(0, -2)}xx`)).toBeNull();
      expect(await validateSession(kv, 'not a token')).toBeNull();
      expect(await validateSession(kv, undefined)).toBeNull();
    });

    it('revokes one session, or every session of a user but the one kept', async () => {
      const userId = `user-${Math.random()}`;
      const a = await createSession(kv, userId);
      const b = await createSession(kv, userId);
      const c = await createSession(kv, userId);
      await revokeSession(kv, a.session);
      expect(await validateSession(kv, a.token)).toBeNull();
      expect(await revokeUserSessions(kv, userId, c.session)).toBe(1);
      expect(await validateSession(kv, b.token)).toBeNull();
      expect(await validateSession(kv, c.token)).not.toBeNull();
    });
  });

  describe(`verification and reset tokens (${name})`, () => {
    it('are single use', async () => {
      const token = await issueToken(kv, 'verify-email', 'user-3');
      expect(await redeemToken(kv, 'verify-email', token)).toBe('user-3');
      expect(await redeemToken(kv, 'verify-email', token)).toBeNull();
    });

    it('are invalidated by a newer one', async () => {
      const first = await issueToken(kv, 'reset-password', 'user-4');
      const second = await issueToken(kv, 'reset-password', 'user-4');
      expect(await redeemToken(kv, 'reset-password', first)).toBeNull();
      expect(await redeemToken(kv, 'reset-password', second)).toBe('user-4');
    });

    it('work only for their purpose', async () => {
      const token = await issueToken(kv, 'verify-email', 'user-5');
      expect(await redeemToken(kv, 'reset-password', token)).toBeNull();
      expect(await redeemToken(kv, 'verify-email', token)).toBe('user-5');
    });

    it('give one winner when redeemed twice at once', async () => {
      const token = await issueToken(kv, 'reset-password', 'user-6');
      const results = await Promise.all([redeemToken(kv, 'reset-password', token), redeemToken(kv, 'reset-password', token)]);
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
    const { token, session } = await createSession(redisKv, 'user-sliding');
    const key = `auth:session:${session.hash}`;
    await redis.expire(key, 3_600);
    await validateSession(redisKv, token);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(3_600);
    const stored = JSON.parse((await redis.get(key))!);
    await redis.set(key, JSON.stringify({ ...stored, refreshedAt: Date.now() - 2 * 3_600_000 }), 'EX', 3_600);
    expect(await validateSession(redisKv, token)).toMatchObject({ userId: 'user-sliding' });
    expect(await redis.ttl(key)).toBeGreaterThan(29 * 24 * 3_600);
  });
});

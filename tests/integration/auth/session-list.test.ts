import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSession, revokeUserSessions, validateSession } from '@/lib/auth';
import { describeDevice } from '@/lib/auth/device';
import {
  LAST_SEEN_EVERY_MS,
  listSessions,
  MAX_SESSIONS_PER_USER,
  NEW_DEVICE_AFTER_MS,
  revokeSessionById,
  sessionPublicId,
  type CreateSessionOptions,
} from '@/lib/auth/session';
import { RedisKeyValue, type KeyValue } from '@/lib/redis';
import { keyValueStores } from '../../support/key-value-stores';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const laptop = describeDevice(CHROME_LINUX, '203.0.113.7');
const phone = describeDevice(FIREFOX_WINDOWS, '198.51.100.20');

const { redisKv, stores } = keyValueStores();

async function started(kv: KeyValue, userId: string, options: CreateSessionOptions = {}) {
  const created = await createSession(kv, userId, options);
  if (!created) throw new Error('session refused');
  return created;
}

const DAY = 24 * 3_600_000;

for (const [name, store] of stores) {
  describe(`a user's sessions, listed and ended one by one (${name})`, () => {
    it('lists every live session with its device, network and times, newest first, the asking one marked', async () => {
      const userId = randomUUID();
      const t0 = Date.now();
      const a = await started(store(), userId, { device: laptop, now: t0 });
      const b = await started(store(), userId, { device: phone, now: t0 + 1000 });
      const listed = await listSessions(store(), a.session, { now: t0 + 2000 });
      expect(listed).toEqual([
        {
          id: sessionPublicId(b.session.hash),
          createdAt: t0 + 1000,
          lastSeenAt: t0 + 1000,
          device: phone,
          current: false,
        },
        { id: sessionPublicId(a.session.hash), createdAt: t0, lastSeenAt: t0, device: laptop, current: true },
      ]);
      // the id shown is not the hash the store is keyed by
      expect(listed.map((s) => s.id)).not.toContain(a.session.hash);
      if (name !== 'in-process') {
        const raw = JSON.stringify(
          await (store() as RedisKeyValue).redis.hgetall(`auth:{u:${userId}}:session-devices`),
        );
        expect(raw).toContain('203.0.113.0/24');
        expect(raw).not.toContain('203.0.113.7');
      }
    });

    it('writes last seen at most once a minute, not on every request', async () => {
      const userId = randomUUID();
      const t0 = Date.now();
      const { token, session } = await started(store(), userId, { device: laptop, now: t0 });
      await validateSession(store(), token, { now: t0 + 30_000 });
      expect((await listSessions(store(), session, { now: t0 + 30_000 }))[0]!.lastSeenAt).toBe(t0);
      await validateSession(store(), token, { now: t0 + LAST_SEEN_EVERY_MS + 1 });
      await validateSession(store(), token, { now: t0 + LAST_SEEN_EVERY_MS + 20_000 });
      expect((await listSessions(store(), session, { now: t0 + LAST_SEEN_EVERY_MS + 20_000 }))[0]!.lastSeenAt).toBe(
        t0 + LAST_SEEN_EVERY_MS + 1,
      );
    });

    it("ends one's own session by id; another user's id, a forged one or one already ended change nothing", async () => {
      const userId = randomUUID();
      const strangerId = randomUUID();
      const mine = await started(store(), userId, { device: laptop });
      const other = await started(store(), userId, { device: phone });
      const strangers = await started(store(), strangerId, { device: phone });
      const strangersId = sessionPublicId(strangers.session.hash);

      expect(await revokeSessionById(store(), userId, strangersId)).toBe(false);
      expect(await validateSession(store(), strangers.token)).not.toBeNull();
      expect(await revokeSessionById(store(), userId, randomBytes(16).toString('hex'))).toBe(false);
      expect(await revokeSessionById(store(), userId, "' or 1=1 --")).toBe(false);
      expect(await revokeSessionById(store(), userId, strangers.session.hash)).toBe(false);

      const otherId = sessionPublicId(other.session.hash);
      expect(await revokeSessionById(store(), userId, otherId)).toBe(true);
      expect(await validateSession(store(), other.token)).toBeNull();
      expect(await validateSession(store(), mine.token)).not.toBeNull();
      expect(await revokeSessionById(store(), userId, otherId)).toBe(false);
      expect((await listSessions(store(), mine.session)).map((s) => s.id)).toEqual([
        sessionPublicId(mine.session.hash),
      ]);
    });

    it('shows the 50-session cap ending the oldest, and keeps no device records for ended sessions', async () => {
      const userId = randomUUID();
      const t0 = Date.now();
      const all = [];
      for (let i = 0; i < MAX_SESSIONS_PER_USER + 2; i++)
        all.push(await started(store(), userId, { device: laptop, now: t0 + i }));
      const listed = await listSessions(store(), all.at(-1)!.session, { now: t0 + 100 });
      expect(listed).toHaveLength(MAX_SESSIONS_PER_USER);
      expect(listed.map((s) => s.id)).not.toContain(sessionPublicId(all[0]!.session.hash));
      expect(listed.map((s) => s.id)).not.toContain(sessionPublicId(all[1]!.session.hash));
      expect(await revokeUserSessions(store(), userId, all.at(-1)!.session)).toBe(MAX_SESSIONS_PER_USER - 1);
      expect(await listSessions(store(), all.at(-1)!.session)).toHaveLength(1);
      if (name !== 'in-process') {
        const redis = (store() as RedisKeyValue).redis;
        expect(await redis.hlen(`auth:{u:${userId}}:session-devices`)).toBe(1);
        expect(await redis.hlen(`auth:{u:${userId}}:session-seen`)).toBe(1);
      }
    });

    it('reports a new device: not for the first sign-in, not for a known one or an update, yes for another browser, network, or after 30 days', async () => {
      const userId = randomUUID();
      const t0 = Date.now();
      const signIn = async (device: typeof laptop, now: number) =>
        (await started(store(), userId, { device, now })).newDevice;
      expect(await signIn(laptop, t0)).toBe(false);
      expect(await signIn(laptop, t0 + 1000)).toBe(false);
      expect(await signIn(describeDevice(CHROME_LINUX.replace('142.0', '143.0'), '203.0.113.99'), t0 + 2000)).toBe(
        false,
      );
      expect(await signIn(phone, t0 + 3000)).toBe(true);
      expect(await signIn(phone, t0 + 4000)).toBe(false);
      expect(await signIn(describeDevice(CHROME_LINUX, '192.0.2.1'), t0 + 5000)).toBe(true);
      expect(await signIn(phone, t0 + 4000 + NEW_DEVICE_AFTER_MS + 1)).toBe(true);
      // a session started without a device (a script, an old caller) is never news and records nothing
      expect((await started(store(), randomUUID(), { now: t0 })).newDevice).toBe(false);
    });

    it('a session started before devices were recorded is listed as an unknown device', async () => {
      const userId = randomUUID();
      const { session } = await started(store(), userId);
      expect(await listSessions(store(), session)).toEqual([expect.objectContaining({ device: null, current: true })]);
    });
  });
}

describe('sessions written by the previous version (no device or last-seen record) in Redis', () => {
  it('are listed, validated and revocable by id', async () => {
    const userId = randomUUID();
    const { token, session } = await started(redisKv, userId);
    const redis = (redisKv as RedisKeyValue).redis;
    await redis.del(`auth:{u:${userId}}:session-seen`, `auth:{u:${userId}}:session-devices`);
    expect(await validateSession(redisKv, token, { now: Date.now() + DAY })).not.toBeNull();
    const [listed] = await listSessions(redisKv, session);
    expect(listed).toMatchObject({ device: null, current: true });
    expect(await revokeSessionById(redisKv, userId, listed!.id)).toBe(true);
    expect(await validateSession(redisKv, token)).toBeNull();
  });
});

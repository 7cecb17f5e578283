import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changePassword,
  createSession,
  hashPassword,
  logIn,
  MESSAGES,
  requestPasswordReset,
  resetPassword,
  signUp,
  validateSession,
  verifyEmail,
  verifyPassword,
  PASSWORD_MAX_LENGTH,
  findUserByEmail,
  unlockAccount,
} from '@/lib/auth';
import * as password from '@/lib/auth/password';
import { HASHING_CONCURRENCY, hashingLoad, PasswordHashingBusyError } from '@/lib/auth/password';
import { closeDatabase } from '@/lib/db';
import { closeRedis } from '@/lib/redis';
import { realAuthDeps, uniqueEmail } from '../../support/auth-deps';

let deps: Awaited<ReturnType<typeof realAuthDeps>>;

beforeAll(async () => {
  deps = await realAuthDeps();
});

afterAll(async () => {
  await closeRedis();
  await closeDatabase();
});

/** A fresh address per use, so limits counted on a reused Redis never carry over between runs. */
const randomIp = () => `10.${Array.from({ length: 3 }, () => Math.floor(Math.random() * 256)).join('.')}`;

/** Counts password hashes started from now on (every hash takes a hashing slot). */
function hashCalls(): () => number {
  const before = hashingLoad().started;
  return () => hashingLoad().started - before;
}

/** Fills every hashing slot and the waiting line with slow work; returns the release. */
async function occupyHashing(): Promise<() => void> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held: Array<Promise<unknown>> = [];
  for (let i = 0; i < HASHING_CONCURRENCY + 16; i++)
    held.push(password.withHashingSlot(() => gate, 60_000).catch(() => {}));
  await new Promise((resolve) => setTimeout(resolve, 10));
  return () => release();
}

async function verifiedUser(password = 'correct horse battery') {
  const email = uniqueEmail('verified');
  await signUp(deps, { name: 'Ada', email, password });
  const token = deps.sent.find((e) => e.kind === 'verification' && e.to === email)!.token!;
  const verified = await verifyEmail(deps, token);
  if (!verified.ok) throw new Error('verification failed');
  return { email, password, user: verified.user };
}

describe('password hashing', () => {
  it('uses scrypt at the OWASP parameters with a salt per password', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('other password', a)).toBe(false);
  });

  it('refuses a huge password without hashing it', async () => {
    await expect(hashPassword('x'.repeat(PASSWORD_MAX_LENGTH + 1))).rejects.toThrow('password too long');
    expect(await verifyPassword('x'.repeat(100_000), await hashPassword('short pass'))).toBe(false);
  });
});

describe('sign up', () => {
  it('stores the user unverified and schedules a verification email with a working link token', async () => {
    const email = uniqueEmail('new');
    expect(await signUp(deps, { name: 'Ada', email, password: 'longenough' })).toEqual({
      ok: true,
      message: MESSAGES.checkEmail,
    });
    const user = await findUserByEmail(deps.db, email.toUpperCase());
    expect(user).toMatchObject({ name: 'Ada', emailVerifiedAt: null });
    expect(user!.passwordHash).not.toContain('longenough');
    expect(deps.sent.filter((e) => e.to === email).map((e) => e.kind)).toEqual(['verification']);
  });

  it('answers a registered address exactly as a new one, and mails the owner instead', async () => {
    const email = uniqueEmail('taken');
    const fresh = await signUp(deps, { name: 'Ada', email, password: 'longenough' });
    const again = await signUp(deps, { name: 'Mallory', email: email.toUpperCase(), password: 'otherpassword' });
    expect(again).toEqual(fresh);
    expect(deps.sent.filter((e) => e.to === email).map((e) => e.kind)).toEqual(['verification', 'accountExists']);
  });

  it('keeps one account when the same address signs up twice at once', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all([
      signUp(deps, { name: 'A', email, password: 'longenough' }),
      signUp(deps, { name: 'B', email, password: 'longenough' }),
    ]);
    expect(results[0]).toEqual(results[1]);
    const kinds = deps.sent
      .filter((e) => e.to === email)
      .map((e) => e.kind)
      .sort();
    expect(kinds).toEqual(['accountExists', 'verification']);
  });
});

describe('verify email', () => {
  it('verifies once, schedules the welcome email, and refuses the link a second time', async () => {
    const { email, user } = await verifiedUser();
    expect(user.emailVerifiedAt).toBeInstanceOf(Date);
    expect(deps.sent.filter((e) => e.to === email).map((e) => e.kind)).toEqual(['verification', 'welcome']);
    const token = deps.sent.find((e) => e.kind === 'verification' && e.to === email)!.token!;
    expect(await verifyEmail(deps, token)).toEqual({ ok: false, error: MESSAGES.badVerifyLink, code: 'invalid-token' });
  });
});

describe('log in', () => {
  it('answers an unknown address exactly as a wrong password', async () => {
    const { email } = await verifiedUser();
    const wrongPassword = await logIn(deps, { email, password: 'not the password' }, '198.51.100.1');
    const unknown = await logIn(deps, { email: uniqueEmail('nobody'), password: 'not the password' }, '198.51.100.1');
    expect(wrongPassword).toEqual({ ok: false, error: MESSAGES.invalidCredentials, code: 'invalid-credentials' });
    expect(unknown).toEqual(wrongPassword);
  });

  it('answers the right password of an unverified account exactly as a wrong one, and counts both as failures', async () => {
    const email = uniqueEmail('unverified');
    await signUp(deps, { name: 'Ada', email, password: 'longenough' });
    const failures: string[] = [];
    const counting = {
      ...deps,
      limits: {
        ...deps.limits,
        recordFailedLogin: async (_ip: string, address: string) => void failures.push(address),
      },
    };
    const wrong = await logIn(counting, { email, password: 'wrong password' }, '198.51.100.2');
    const right = await logIn(counting, { email, password: 'longenough' }, '198.51.100.2');
    expect(wrong).toEqual({ ok: false, error: MESSAGES.invalidCredentials, code: 'invalid-credentials' });
    expect(right).toEqual(wrong);
    expect(failures).toEqual([email, email]);
  });

  it('lets a verified user in, whatever the case of the address', async () => {
    const { email, password } = await verifiedUser();
    expect(await logIn(deps, { email: email.toUpperCase(), password }, '198.51.100.3')).toMatchObject({ ok: true });
  });
});

describe('password reset', () => {
  it('answers unknown and registered addresses identically', async () => {
    const { email } = await verifiedUser();
    const known = await requestPasswordReset(deps, { email }, '198.51.100.4');
    const unknown = await requestPasswordReset(deps, { email: uniqueEmail('ghost') }, '198.51.100.4');
    expect(known).toEqual({ ok: true, message: MESSAGES.resetSent });
    expect(unknown).toEqual(known);
    expect(deps.sent.filter((e) => e.to === email && e.kind === 'passwordReset')).toHaveLength(1);
  });

  it('sets the new password, ends every session, mails the owner, and refuses the link again', async () => {
    const { email, user, password } = await verifiedUser();
    const sessions = await Promise.all([createSession(deps.kv, user.id), createSession(deps.kv, user.id)]);
    await requestPasswordReset(deps, { email }, '198.51.100.5');
    const token = deps.sent.filter((e) => e.to === email && e.kind === 'passwordReset').at(-1)!.token!;
    expect(await resetPassword(deps, { token, password: 'a brand new password' }, '198.51.100.5')).toEqual({
      ok: true,
    });
    for (const created of sessions) expect(await validateSession(deps.kv, created!.token)).toBeNull();
    expect(deps.sent.filter((e) => e.to === email).at(-1)!.kind).toBe('passwordChanged');
    expect((await logIn(deps, { email, password }, '198.51.100.5')).ok).toBe(false);
    expect((await logIn(deps, { email, password: 'a brand new password' }, '198.51.100.5')).ok).toBe(true);
    expect(await resetPassword(deps, { token, password: 'yet another password' }, '198.51.100.5')).toEqual({
      ok: false,
      error: MESSAGES.badResetLink,
      code: 'invalid-token',
    });
  });
});

describe('change password', () => {
  it('needs the current password, then keeps this session and ends the others', async () => {
    const { user, password } = await verifiedUser();
    const here = (await createSession(deps.kv, user.id))!;
    const elsewhere = (await createSession(deps.kv, user.id))!;
    expect(
      await changePassword(deps, here.session, { currentPassword: 'wrong one', newPassword: 'new password!' }),
    ).toMatchObject({
      ok: false,
      code: 'wrong-password',
    });
    expect(
      await changePassword(deps, here.session, { currentPassword: password, newPassword: 'new password!' }),
    ).toEqual({ ok: true });
    expect(await validateSession(deps.kv, here.token)).not.toBeNull();
    expect(await validateSession(deps.kv, elsewhere.token)).toBeNull();
  });
});

describe('no unauthenticated path burns scrypt', () => {
  it('refuses a bogus reset link without hashing the new password', async () => {
    const calls = hashCalls();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        resetPassword(
          deps,
          { token: `bogus-token-${i}-${'x'.repeat(30)}`, password: 'a brand new password' },
          '198.51.100.20',
        ),
      ),
    );
    expect(results.every((r) => !r.ok && r.code === 'invalid-token')).toBe(true);
    expect(calls()).toBe(0);
  });

  it('keeps a good link usable when the server is too busy to hash', async () => {
    const { email } = await verifiedUser();
    await requestPasswordReset(deps, { email }, '198.51.100.21');
    const token = deps.sent.filter((e) => e.to === email && e.kind === 'passwordReset').at(-1)!.token!;
    const release = await occupyHashing();
    try {
      expect(await resetPassword(deps, { token, password: 'a brand new password' }, '198.51.100.21')).toMatchObject({
        ok: false,
        code: 'busy',
      });
    } finally {
      release();
    }
    expect(await resetPassword(deps, { token, password: 'a brand new password' }, '198.51.100.21')).toEqual({
      ok: true,
    });
  });

  it('answers "busy" at once beyond the hashing bound instead of queueing without end', async () => {
    const release = await occupyHashing();
    try {
      const started = performance.now();
      await expect(hashPassword('one more')).rejects.toBeInstanceOf(PasswordHashingBusyError);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(hashingLoad().running).toBe(HASHING_CONCURRENCY);
    } finally {
      release();
    }
  });
});

describe('rate limits on setting passwords', () => {
  it('limits reset-password posts per address and change-password per user', async () => {
    const limited = await realAuthDeps({ limits: 'real' });
    const ip = randomIp();
    const resets = [];
    for (let i = 0; i < 11; i++)
      resets.push(
        await resetPassword(limited, { token: `bogus-${i}-${'y'.repeat(30)}`, password: 'a brand new password' }, ip),
      );
    expect(resets.slice(0, 10).every((r) => !r.ok && r.code === 'invalid-token')).toBe(true);
    expect(resets[10]).toMatchObject({ ok: false, code: 'limited' });

    const { user } = await verifiedUser();
    const session = (await createSession(limited.kv, user.id))!.session;
    const changes = [];
    for (let i = 0; i < 6; i++)
      changes.push(
        await changePassword(
          limited,
          session,
          { currentPassword: `wrong ${i}`, newPassword: 'new password!' },
          `203.0.113.${i}`,
        ),
      );
    expect(changes.slice(0, 5).map((r) => !r.ok && r.code)).toEqual(Array(5).fill('wrong-password'));
    expect(changes[5]).toMatchObject({ ok: false, code: 'limited' });
  });
});

describe('verification proves the inbox, nothing more', () => {
  it('does not sign the user in: the flow hands back no session', async () => {
    const email = uniqueEmail('verify-only');
    await signUp(deps, { name: 'Ada', email, password: 'longenough' });
    const token = deps.sent.find((e) => e.kind === 'verification' && e.to === email)!.token!;
    const result = await verifyEmail(deps, token);
    expect(result.ok).toBe(true);
    expect(Object.keys(result).sort()).toEqual(['ok', 'user']);
  });
});

describe('an attacker cannot lock the owner out', () => {
  async function lockedAccount() {
    const limited = await realAuthDeps({ limits: 'real' });
    const { email, password, user } = await verifiedUser();
    // 20 wrong passwords from four addresses: the account's failure limit
    const addresses = Array.from({ length: 4 }, randomIp);
    for (let i = 0; i < 20; i++) {
      const result = await logIn(limited, { email, password: `guess ${i}` }, addresses[i % 4]!);
      expect(result).toMatchObject({ ok: false, code: 'invalid-credentials' });
    }
    return { limited, email, password, user };
  }

  it('answers a right and a wrong password alike once locked, and mails an unlock link only for the right one', async () => {
    const { limited, email, password } = await lockedAccount();
    const wrong = await logIn(limited, { email, password: 'still guessing' }, randomIp());
    const right = await logIn(limited, { email, password }, randomIp());
    expect(wrong).toEqual({ ok: false, error: MESSAGES.accountLocked, code: 'locked' });
    expect(right).toEqual(wrong);
    expect(MESSAGES.accountLocked).toContain('We emailed you a link to unlock your account');
    const unlocks = limited.sent.filter((e) => e.to === email && e.kind === 'unlockAccount');
    expect(unlocks).toHaveLength(1);
  });

  it('lets the login through from the unlock link, once, and clears the failures', async () => {
    const { limited, email, password, user } = await lockedAccount();
    await logIn(limited, { email, password }, randomIp());
    const token = limited.sent.filter((e) => e.to === email && e.kind === 'unlockAccount').at(-1)!.token!;
    const unlocked = await unlockAccount(limited, token, randomIp());
    expect(unlocked).toMatchObject({ ok: true, user: { id: user.id } });
    expect(await unlockAccount(limited, token, randomIp())).toEqual({
      ok: false,
      error: MESSAGES.badUnlockLink,
      code: 'invalid-token',
    });
    expect(await logIn(limited, { email, password }, randomIp())).toMatchObject({ ok: true });
  });

  it('a password reset clears the failures too', async () => {
    const { limited, email } = await lockedAccount();
    await requestPasswordReset(limited, { email }, randomIp());
    const token = limited.sent.filter((e) => e.to === email && e.kind === 'passwordReset').at(-1)!.token!;
    expect(await resetPassword(limited, { token, password: 'after the reset' }, randomIp())).toEqual({ ok: true });
    expect(await logIn(limited, { email, password: 'after the reset' }, randomIp())).toMatchObject({ ok: true });
  });
});

describe('sign-up reveals nothing by timing', () => {
  it('hashes and commits the request before answering; the account is made after the answer, from the committed row', async () => {
    const tasks: Array<() => Promise<void>> = [];
    const deferred = { ...deps, later: async (task: () => Promise<void>) => void tasks.push(task) };
    const email = uniqueEmail('deferred');
    const calls = hashCalls();
    expect(await signUp(deferred, { name: 'Ada', email, password: 'longenough' })).toEqual({
      ok: true,
      message: MESSAGES.checkEmail,
    });
    expect(calls()).toBe(1);
    expect(await findUserByEmail(deps.db, email)).toBeNull();
    const { rows } = await deps.sql.query('select password_hash from auth_email_requests where email = $1', [email]);
    expect(rows).toHaveLength(1);
    expect((rows[0] as { password_hash: string }).password_hash).not.toContain('longenough');
    await Promise.all(tasks.map((task) => task()));
    expect(calls()).toBe(1);
    expect(await findUserByEmail(deps.db, email)).not.toBeNull();
    expect((await deps.sql.query('select 1 from auth_email_requests where email = $1', [email])).rows).toHaveLength(0);
  });
});

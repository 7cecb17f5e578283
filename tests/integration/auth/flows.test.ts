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
} from '@/lib/auth';
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
    expect(await signUp(deps, { name: 'Ada', email, password: 'longenough' })).toEqual({ ok: true, message: MESSAGES.checkEmail });
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
    const results = await Promise.all([signUp(deps, { name: 'A', email, password: 'longenough' }), signUp(deps, { name: 'B', email, password: 'longenough' })]);
    expect(results[0]).toEqual(results[1]);
    const kinds = deps.sent.filter((e) => e.to === email).map((e) => e.kind).sort();
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

  it('refuses an unverified account only after a correct password', async () => {
    const email = uniqueEmail('unverified');
    await signUp(deps, { name: 'Ada', email, password: 'longenough' });
    expect(await logIn(deps, { email, password: 'wrong password' }, '198.51.100.2')).toMatchObject({ error: MESSAGES.invalidCredentials });
    expect(await logIn(deps, { email, password: 'longenough' }, '198.51.100.2')).toMatchObject({ ok: false, code: 'unverified' });
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
    expect(await resetPassword(deps, { token, password: 'a brand new password' })).toEqual({ ok: true });
    for (const { token: sessionToken } of sessions) expect(await validateSession(deps.kv, sessionToken)).toBeNull();
    expect(deps.sent.filter((e) => e.to === email).at(-1)!.kind).toBe('passwordChanged');
    expect((await logIn(deps, { email, password }, '198.51.100.5')).ok).toBe(false);
    expect((await logIn(deps, { email, password: 'a brand new password' }, '198.51.100.5')).ok).toBe(true);
    expect(await resetPassword(deps, { token, password: 'yet another password' })).toEqual({ ok: false, error: MESSAGES.badResetLink, code: 'invalid-token' });
  });
});

describe('change password', () => {
  it('needs the current password, then keeps this session and ends the others', async () => {
    const { user, password } = await verifiedUser();
    const here = await createSession(deps.kv, user.id);
    const elsewhere = await createSession(deps.kv, user.id);
    expect(await changePassword(deps, here.session, { currentPassword: 'wrong one', newPassword: 'new password!' })).toMatchObject({ ok: false, code: 'wrong-password' });
    expect(await changePassword(deps, here.session, { currentPassword: password, newPassword: 'new password!' })).toEqual({ ok: true });
    expect(await validateSession(deps.kv, here.token)).not.toBeNull();
    expect(await validateSession(deps.kv, elsewhere.token)).toBeNull();
  });
});

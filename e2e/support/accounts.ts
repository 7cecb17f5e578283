// Small steps the auth journeys share, done the way a person does them: through the forms; and a signed-in
// user made directly (signedInUser) for journeys that are about something else.
import { signInContext } from '@zigznote/playwright-kit';
import { expect, type Browser, type Page } from '@playwright/test';
import { sessionCookieName } from '../../lib/auth/cookie-names';
import { watchAppRequests } from './test';
import { linkFrom, uniqueAddress, waitForEmail } from './mailbox';

export async function signUp(page: Page, name: string, email: string, password: string) {
  await page.goto('/auth/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('main').getByRole('status')).toContainText('Check your email');
}

export async function logIn(page: Page, email: string, password: string) {
  await page.goto('/auth/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/**
 * Logs in and waits for the network to settle on the account page, as a browser waiting for `networkidle`
 * would (issue 27: prefetches after the login redirect used to hang for good): within 2 s of the login's
 * answer. Counted from the answer, not the click, because the password check itself takes a deliberate
 * half second or more of scrypt on these machines.
 */
export async function logInAndSettle(page: Page, email: string, password: string, { settleMs = 2_000 } = {}) {
  await page.goto('/auth/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  const answered = page
    .waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/auth/login')
    .then(() => Date.now());
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/account/);
  await page.waitForLoadState('networkidle', { timeout: settleMs + 10_000 });
  const settledMs = Date.now() - (await answered);
  expect(settledMs, 'the account page settles after logging in').toBeLessThan(settleMs);
  return settledMs;
}

/** Opens a verification link and presses its button, as a person does (the link alone does nothing). */
export async function verifyFromLink(page: Page, link: string) {
  await page.goto(link);
  await page.getByRole('button', { name: 'Verify email address' }).click();
}

/** A verified, signed-in user, made through sign-up, the verification email and logging in. */
export async function verifiedUser(page: Page, password = 'correct horse battery') {
  const email = uniqueAddress('user');
  await signUp(page, 'Ada', email, password);
  const verification = await waitForEmail(email, 'Verify your email address');
  await verifyFromLink(page, linkFrom(verification, '/auth/verify-email?token='));
  await expect(page).toHaveURL(/\/auth\/login\?notice=verified/);
  await logInAndSettle(page, email, password);
  return { email, password };
}

/** The same user signed in on a second device (a browser context of its own). */
export async function signedInElsewhere(browser: Browser, email: string, password: string, appOrigin: string) {
  const context = await browser.newContext();
  const watch = watchAppRequests(context, appOrigin);
  const page = await context.newPage();
  await logIn(page, email, password);
  await expect(page).toHaveURL(/\/account/);
  return {
    page,
    close: async () => {
      await watch.check();
      await context.close();
    },
  };
}

/**
 * A verified user whose page is signed in before its first navigation, made the way the app makes them
 * (the account in Postgres with its scrypt hash, the session in Redis, the production cookie) instead of
 * through the forms: for journeys about what a signed-in user does, not about signing in. Needs the
 * server to use this process's DATABASE_URL and REDIS_URL (the node, edge and garage projects do).
 */
export async function signedInUser(page: Page, baseURL: string, password = 'correct horse battery') {
  const [
    { loadConfig },
    { getDatabase },
    users,
    { hashPassword },
    { createSession },
    { RedisKeyValue },
    { default: Redis },
  ] = await Promise.all([
    import('../../lib/config'),
    import('../../lib/db'),
    import('../../lib/auth/users'),
    import('../../lib/auth/password'),
    import('../../lib/auth/session'),
    import('../../lib/redis/key-value'),
    import('ioredis'),
  ]);
  const email = uniqueAddress('direct');
  const db = await getDatabase(loadConfig(process.env).database);
  const user = await users.createUser(db, { email, name: 'Ada', passwordHash: await hashPassword(password) });
  if (!user) throw new Error(`could not create ${email}`);
  await users.markEmailVerified(db, user.id);
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    const session = await createSession(new RedisKeyValue(redis), user.id);
    if (!session) throw new Error('could not create a session');
    await signInContext(page.context(), baseURL, { name: sessionCookieName(true), value: session.token });
  } finally {
    redis.disconnect();
  }
  return { email, password, userId: user.id };
}

/** Signs the user out everywhere, as "Log out everywhere" on another device does (the server's Redis). */
export async function endSessionsElsewhere(userId: string) {
  const [{ revokeUserSessions }, { RedisKeyValue }, { default: Redis }] = await Promise.all([
    import('../../lib/auth/session'),
    import('../../lib/redis/key-value'),
    import('ioredis'),
  ]);
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    await revokeUserSessions(new RedisKeyValue(redis), userId);
  } finally {
    redis.disconnect();
  }
}

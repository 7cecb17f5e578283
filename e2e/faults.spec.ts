import { expect, test } from './support/test';
import { existsSync } from 'node:fs';
import { freePort, startRedisServer } from '../tests/support/redis-server';
import { logIn, signUp, verifiedUser, verifyFromLink } from './support/accounts';
import { emailsTo, linkFrom, uniqueAddress, waitForEmail } from './support/mailbox';
import { startNextStart, startStandalone } from './support/standalone';

// Faults through the running app, not only the library: the standalone server on a Redis of its own that
// the test stops and starts again, and the Edge-middleware build with its limiter bridge unreachable.

test.describe('faults', () => {
  test('the server is SIGKILLed right after answering 20 sign-ups: after a restart each verification email arrives once and each account verifies', async ({
    browser,
    page,
  }) => {
    test.setTimeout(240_000);
    const env = { RATE_LIMITS: 'register=100/1h', RATE_LIMIT_BRIDGE_SECRET: '' };
    // The first server gives up on a lock after 300 ms instead of holding a pooled connection while it waits.
    const impatient = new URL(process.env.DATABASE_URL!);
    impatient.searchParams.set('options', '-c lock_timeout=300');
    let app = await startStandalone(3422, { ...env, DATABASE_URL: impatient.toString() });
    const context = await browser.newContext({ baseURL: app.url });
    const addresses = Array.from({ length: 20 }, (_, i) => uniqueAddress(`killed-${i}`));
    const { default: pg } = await import('pg');
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      // Accounts cannot be written while the test holds this lock: the work after each answer fails and rolls
      // back (as it would have been cut off by the crash), so the server dies with all 20 outstanding, not by luck.
      await db.query('begin');
      await db.query('lock table users in exclusive mode');
      // 20 people at once, each told "check your email"; the server dies the moment the last is told
      const forms = await Promise.all(addresses.map(() => context.newPage()));
      await Promise.all(forms.map((form, i) => signUp(form, 'Ada', addresses[i]!, 'correct horse battery')));
      await app.kill();
      await db.query('rollback');
      const orphaned = (
        await db.query('select count(*)::int as n from auth_email_requests where email = any($1)', [addresses])
      ).rows[0].n as number;
      expect(orphaned, 'sign-ups the dead server answered but had not made into accounts').toBe(20);
      await context.close();

      app = await startStandalone(3422, env);
      for (const address of addresses) await waitForEmail(address, 'Verify your email address');
      // a duplicate would come from the dead process's work done twice: give it time to show
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      for (const address of addresses)
        expect((await emailsTo(address)).map((email) => email.subject)).toEqual(['Verify your email address']);
      for (const address of addresses) {
        await verifyFromLink(
          page,
          linkFrom(await waitForEmail(address, 'Verify your email address'), '/auth/verify-email?token='),
        );
        await expect(page).toHaveURL(/\/auth\/login\?notice=verified/);
      }
    } finally {
      await db.end().catch(() => {});
      await context.close().catch(() => {});
      await app.stop();
    }
  });

  test('Redis stopped: login fails closed with a message, the API answers at once, and both recover without a restart', async ({
    browser,
  }) => {
    test.setTimeout(150_000);
    const port = await freePort();
    let redis = await startRedisServer(port);
    const app = await startStandalone(3420, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      RATE_LIMITS: '',
      RATE_LIMIT_BRIDGE_SECRET: '',
    });
    const signedIn = await browser.newContext({ baseURL: app.url });
    const anonymous = await browser.newContext({ baseURL: app.url });
    try {
      const page = await signedIn.newPage();
      const { email, password } = await verifiedUser(page);
      expect((await page.request.get('/api/files')).status()).toBe(200);

      await redis.stop();
      // Sessions live in Redis: the signed-in API answers 503 with Retry-After, quickly, not a hang or a 500.
      const asked = Date.now();
      const files = await page.request.get('/api/files');
      expect(files.status()).toBe(503);
      expect(files.headers()['retry-after']).toBe('5');
      expect((await files.json()).title).toBe('Service Unavailable');
      expect(Date.now() - asked).toBeLessThan(3_000);
      // The sessions page says the list cannot be had now: never an empty list that reads as "signed out".
      await page.goto('/account/sessions');
      await expect(page.getByRole('main').getByRole('alert')).toContainText('Your sessions cannot be listed right now');
      await expect(page.getByRole('list', { name: 'Signed-in sessions' })).toHaveCount(0);
      expect((await page.request.get('/api/sessions')).status()).toBe(503);
      // The api limit fails open: a route that needs no session is served, limited in memory.
      const version = await page.request.get('/api/version');
      expect(version.status()).toBe(200);
      expect(version.headers()['ratelimit']).toBeDefined();
      // Login fails closed, and says so in the form.
      const login = await anonymous.newPage();
      await logIn(login, email, password);
      await expect(login.getByRole('main').getByRole('alert')).toHaveText(
        /^This is temporarily unavailable\. Please try again in \d+ seconds?\.$/,
      );
      await expect(login.getByLabel('Email')).toHaveValue(email);

      redis = await startRedisServer(port);
      // Each attempt waits for its own answer: signed in, or the form's message.
      const attempt = async () => {
        await logIn(login, email, password);
        return Promise.race([
          login.waitForURL(/\/account$/, { timeout: 10_000 }).then(() => 'signed in'),
          login
            .getByRole('main')
            .getByRole('alert')
            .waitFor({ timeout: 10_000 })
            .then(() => 'refused'),
        ]).catch(() => 'no answer');
      };
      await expect
        .poll(attempt, { timeout: 40_000, intervals: [1_000], message: 'login works again once Redis is back' })
        .toBe('signed in');
      expect((await login.request.get('/api/files')).status()).toBe(200);
    } finally {
      await signedIn.close();
      await anonymous.close();
      await app.stop();
      await redis.stop();
    }
  });

  test('the Edge build with its limiter bridge unreachable: the API keeps answering, forms say the service is unavailable', async ({
    page,
  }) => {
    expect(existsSync('.data/edge-app/.next/BUILD_ID'), 'npm test builds the Edge variant').toBe(true);
    // port 9 (discard) on loopback: nothing listens, every bridge call is refused
    const app = await startNextStart('.data/edge-app', 3421, {
      RATE_LIMIT_BRIDGE_SECRET: 'b'.repeat(40),
      RATE_LIMIT_BRIDGE_URL: 'http://127.0.0.1:9',
    });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async () => (await fetch(`${app.url}/api/version`)).status),
      );
      expect(statuses).toEqual(Array(20).fill(200));
      await page.goto(`${app.url}/auth/login`);
      await page.getByLabel('Email').fill('nobody@zigznote.test');
      await page.getByLabel('Password').fill('whatever it is');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('main').getByRole('alert')).toHaveText(
        /^This is temporarily unavailable\. Please try again in 5 seconds\.$/,
      );
      expect(app.output()).toContain('[rate-limit] limiter unreachable');
    } finally {
      await app.stop();
    }
  });

  test('behind a trusted proxy (TRUSTED_PROXIES=1), two clients keep separate budgets', async () => {
    const app = await startStandalone(3422, { TRUSTED_PROXIES: '1', RATE_LIMITS: 'api=5/1m' });
    try {
      // the proxy (on loopback, a private peer) names each client in X-Forwarded-For
      const from = (client: string) => fetch(`${app.url}/api/version`, { headers: { 'X-Forwarded-For': client } });
      const first: number[] = [];
      for (let i = 0; i < 6; i++) first.push((await from('198.51.100.31')).status);
      expect(first).toEqual([200, 200, 200, 200, 200, 429]);
      expect((await from('198.51.100.32')).status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

import { expect, test, type Page } from './support/test';
import { freePort, startRedisServer, type RedisProcess } from '../tests/support/redis-server';
import { logIn, verifiedUser } from './support/accounts';
import { emailsTo, waitForEmail } from './support/mailbox';
import { startStandalone, type Started } from './support/standalone';
import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { awaitRoomInWindow } from '../lib/runtime/timing';

// The limits at their default values (no RATE_LIMITS), through the real flows of a running standalone
// server on a Redis of its own. TRUSTED_PROXIES=1 as the README recommends behind one proxy: the test
// plays that proxy, naming each client in X-Forwarded-For.

let redis: RedisProcess;
let app: Started;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  redis = await startRedisServer(await freePort());
  app = await startStandalone(3430, {
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    TRUSTED_PROXIES: '1',
    RATE_LIMITS: '',
    RATE_LIMIT_BRIDGE_SECRET: '',
  });
});

test.afterAll(async () => {
  await app?.stop();
  await redis?.stop();
});

const from = (page: Page, client: string) => page.setExtraHTTPHeaders({ 'X-Forwarded-For': client });
const alert = (page: Page) => page.getByRole('main').getByRole('alert');

test('the per-account limit: 20 failed logins an hour from any addresses lock the account; a success starts the count again', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL: app.url });
  const page = await context.newPage();
  await from(page, '198.51.100.200');
  const { email, password } = await verifiedUser(page);
  await context.clearCookies();
  // 19 failures from four addresses (the per-address limit is 5 per address and account)
  const fail = async (count: number, firstClient: number) => {
    for (let i = 0; i < count; i++) {
      await from(page, `198.51.100.${firstClient + Math.floor(i / 5)}`);
      await logIn(page, email, `wrong ${i}`);
      await expect(alert(page)).toHaveText(
        'Email or password is incorrect, or the address is not verified yet (we can send you a new link).',
      );
    }
  };
  await fail(19, 1);
  await from(page, '198.51.100.50');
  await logIn(page, email, password);
  await expect(page).toHaveURL(/\/account/);
  await context.clearCookies();
  // counted from zero again: 19 more do not lock
  await fail(19, 11);
  await from(page, '198.51.100.60');
  await logIn(page, email, password);
  await expect(page).toHaveURL(/\/account/);
  await context.clearCookies();
  // 20 failures in the hour lock it: the next attempt is refused, whatever address it comes from
  await fail(20, 21);
  await from(page, '198.51.100.70');
  await logIn(page, email, 'wrong 21');
  await expect(alert(page)).toContainText('This account is locked');
  await from(page, '198.51.100.71');
  await logIn(page, email, password);
  await expect(alert(page)).toContainText('We emailed you a link to unlock your account');
  await context.close();
});

test('the per-address login limit (30 per 15 minutes) counts a request once, though middleware and the action both check it', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  // login-ip is a sliding-window counter over 15-minute windows: 30 logins straddling a window's end would
  // see the previous window's weight decay, and a wait in seconds (it happened at 17:30:00).
  await awaitRoomInWindow(120_000, 15 * 60_000);
  const context = await browser.newContext({ baseURL: app.url });
  const page = await context.newPage();
  await from(page, '203.0.113.90');
  for (let i = 1; i <= 30; i++) {
    await logIn(page, `nobody.${i}@zigznote.test`, 'not a password');
    await expect(alert(page), `attempt ${i}`).toHaveText(
      'Email or password is incorrect, or the address is not verified yet (we can send you a new link).',
    );
  }
  await logIn(page, 'nobody.31@zigznote.test', 'not a password');
  await expect(alert(page)).toHaveText(/^Too many attempts\. Please wait \d+ (minutes?|hours?) and try again\.$/);
  await context.close();
});

test('password reset emails: 3 an hour per address asked for, from any client', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: app.url });
  const page = await context.newPage();
  const ask = async (client: string) => {
    await from(page, client);
    await page.goto('/auth/forgot-password');
    await page.getByLabel('Email').fill('target.of.resets@zigznote.test');
    await page.getByRole('button', { name: /send/i }).click();
  };
  for (let i = 1; i <= 3; i++) {
    await ask(`192.0.2.${i}`);
    await expect(page.getByRole('main').getByRole('status')).toBeVisible();
  }
  await ask('192.0.2.4');
  await expect(alert(page)).toHaveText(/^Too many attempts\. Please wait \d+ (minutes?|hours?) and try again\.$/);
  await context.close();
});

test('uploads: 30 a minute per user', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: app.url });
  const page = await context.newPage();
  await from(page, '198.51.100.150');
  await verifiedUser(page);
  const statuses: number[] = [];
  for (let i = 0; i < 31; i++) {
    const response = await page.request.post('/api/uploads', {
      data: { bucket: 'audio', filename: `take-${i}.mp3`, contentType: 'audio/mpeg', size: 1_000 },
    });
    statuses.push(response.status());
  }
  expect(statuses.slice(0, 30)).toEqual(Array(30).fill(200));
  expect(statuses[30]).toBe(429);
  await context.close();
});

test('sign-ups: 3 an hour per address, counted for form posts without JavaScript; the action posted to another page does not run', async ({
  browser,
}) => {
  const context = await browser.newContext({ baseURL: app.url });
  const page = await context.newPage();
  await page.goto('/auth/signup');
  // the form's own hidden fields carry the action, as a browser without JavaScript posts them
  const hidden = await page
    .locator('form input[type="hidden"]')
    .evaluateAll((inputs) =>
      inputs.map((input) => [(input as HTMLInputElement).name, (input as HTMLInputElement).value] as const),
    );
  expect(hidden.length).toBeGreaterThan(0);
  const run = Date.now() % 1_000_000;
  const address = (n: number) => `nojs.${n}.${run}@zigznote.test`;
  const post = async (path: string, email: string) => {
    const form = new FormData();
    for (const [name, value] of hidden) form.append(name, value);
    form.append('name', 'No Script');
    form.append('email', email);
    form.append('password', 'long enough password');
    const response = await fetch(`${app.url}${path}`, {
      method: 'POST',
      body: form,
      headers: { 'X-Forwarded-For': '203.0.113.77', Origin: app.url },
    });
    return { status: response.status, html: await response.text() };
  };
  // Next 16 runs an action only on a route that has it: posted to the home page it is refused and does nothing
  const elsewhere = address(0);
  expect((await post('/', elsewhere)).status).toBe(409);
  for (let i = 1; i <= 3; i++) expect((await post('/auth/signup', address(i))).html).toContain('Check your email');
  const fourth = await post('/auth/signup', address(4));
  expect(fourth.html).toMatch(/Too many attempts\. Please wait \d+ (minutes?|hours?) and try again\./);
  for (let i = 1; i <= 3; i++) await waitForEmail(address(i), 'Verify your email address');
  expect(await emailsTo(elsewhere)).toEqual([]);
  expect(await emailsTo(address(4))).toEqual([]);
  await context.close();
});

test('shadow mode (RATE_LIMITS_SHADOW) counts and reports what a limit would refuse, and refuses nothing', async () => {
  const shadowed = await startStandalone(3431, {
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    RATE_LIMITS: 'api=3/1m',
    RATE_LIMITS_SHADOW: 'api',
    METRICS_TOKEN: 'shadow-mode-metrics-token',
    RATE_LIMIT_BRIDGE_SECRET: '',
  });
  try {
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${shadowed.url}/api/version`);
      statuses.push(response.status);
      remaining.push(/"api";r=(\d+)/.exec(response.headers.get('ratelimit') ?? '')?.[1] ?? '?');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(remaining).toEqual(['2', '1', '0', '0', '0', '0']);
    const metrics = await (
      await fetch(`${shadowed.url}/api/metrics`, { headers: { Authorization: 'Bearer shadow-mode-metrics-token' } })
    ).text();
    // three of the six, and the metrics request itself (an /api route too)
    expect(metrics).toMatch(
      /^zigznote_rate_limit_decisions_total\{group="api",rule="api",outcome="shadow-limited",source="store"\} 4$/m,
    );
    expect(metrics).toMatch(
      /^zigznote_rate_limit_decisions_total\{group="api",rule="api",outcome="allowed",source="store"\} 3$/m,
    );
  } finally {
    await shadowed.stop();
  }
});

/** Commands the Redis of this file's server has processed so far (INFO counts itself too). */
function commandsProcessed(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port: redis.port }, () => socket.write('INFO stats\r\n'));
    let text = '';
    socket.on('data', (data) => {
      text += data;
      const match = /total_commands_processed:(\d+)/.exec(text);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.once('error', reject);
  });
}

test('/api/session: a cookie no session could have costs no Redis call; session-shaped ones are limited to 300 a minute per address', async () => {
  const ask = (cookie: string, client: string) =>
    fetch(`${app.url}/api/session`, {
      headers: { cookie: `__Host-zigznote_session=${cookie}`, 'x-forwarded-for': client },
    });
  const before = await commandsProcessed();
  for (let i = 0; i < 50; i++) expect((await ask(`not-a-session-${i}`, '198.51.100.60')).status).toBe(200);
  // INFO twice, and whatever the server does in the background meanwhile: far fewer than 50
  expect((await commandsProcessed()) - before).toBeLessThan(10);

  const forged = `${randomUUID()}.${'x'.repeat(32)}`;
  const statuses: number[] = [];
  for (let wave = 0; wave < 31; wave++) {
    statuses.push(
      ...(await Promise.all(Array.from({ length: 10 }, () => ask(forged, '198.51.100.61').then((r) => r.status)))),
    );
  }
  expect(statuses.filter((status) => status === 200)).toHaveLength(300);
  expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  // another address keeps its own budget
  expect((await ask(forged, '198.51.100.62')).status).toBe(200);
});

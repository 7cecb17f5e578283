// The example app's own journeys: what a user of the packages sees, through `next start` and Chromium.
import { expect, test, type Page } from '@playwright/test';
import { Redis } from 'ioredis';

/** Fails the test if any request the page made to the app is still pending when it ends. */
function watchPending(page: Page) {
  const pending = new Set<string>();
  page.on('request', (request) => pending.add(`${request.method()} ${request.url()}`));
  const done = (request: { method(): string; url(): string }) => pending.delete(`${request.method()} ${request.url()}`);
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return async () => expect.poll(() => [...pending], { timeout: 2_000 }).toEqual([]);
}

test('middleware on the Node runtime lets 5 requests per 10 s through per address, with the headers', async ({ request }) => {
  const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}, 10.0.0.1`;
  const answers: Array<[number, string | undefined]> = [];
  for (let i = 0; i < 7; i++) {
    const response = await request.get('/api/hello', { headers: { 'x-forwarded-for': `${address}` } });
    answers.push([response.status(), response.headers()['x-ratelimit-remaining']]);
  }
  expect(answers).toEqual([
    [200, '4'],
    [200, '3'],
    [200, '2'],
    [200, '1'],
    [200, '0'],
    [429, '0'],
    [429, '0'],
  ]);
  const other = await request.get('/api/hello', { headers: { 'x-forwarded-for': '203.0.113.77' } });
  expect(other.status()).toBe(200);
  expect(await other.json()).toEqual({ hello: 'world' });
});

test('150 concurrent requests from one address through next start: exactly 5 pass', async ({ request }) => {
  const address = `192.0.2.${Math.floor(Math.random() * 250) + 1}`;
  const statuses = await Promise.all(
    Array.from({ length: 150 }, () => request.get('/api/hello', { headers: { 'x-forwarded-for': address } }).then((r) => r.status())),
  );
  expect(statuses.filter((status) => status === 200)).toHaveLength(5);
  expect(statuses.filter((status) => status === 429)).toHaveLength(145);
});

test('a cached value is served until its tag is invalidated, and lives in Redis', async ({ page }) => {
  const settled = watchPending(page);
  await page.goto('/');
  const output = page.locator('output');
  const first = await output.textContent();
  expect(first).toMatch(/^\d{4}-\d\d-\d\dT/);
  await page.reload();
  await expect(output).toHaveText(first!);
  await page.getByRole('button', { name: 'Invalidate' }).click();
  // The action's re-render streams the new value in; for a moment the old one can still be on the page.
  const renewed = async () => {
    const texts = await page.locator('output').allTextContents();
    return texts.length === 1 && texts[0] !== first ? 'one new value' : `on the page: ${JSON.stringify(texts)}`;
  };
  await expect.poll(renewed, { timeout: 10_000 }).toBe('one new value');
  const second = await output.textContent();
  await page.reload();
  await expect(output).toHaveText(second!);
  await settled();

  const redis = new Redis(process.env.REDIS_URL!);
  try {
    expect((await redis.keys('example:cache:*')).length).toBeGreaterThan(0);
    expect(await redis.hexists('example:cache:{tags}:states', 'clock')).toBe(1);
  } finally {
    redis.disconnect();
  }
});

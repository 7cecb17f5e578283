// The limit in middleware, run against two builds of this app: middleware on the Node runtime (the limiter
// itself) and on the Edge runtime (through the bridge route). The same answers from both.
import { expect, test } from '@playwright/test';

test('middleware lets 5 requests per 10 s through per address, with the RateLimit fields', async ({ request }) => {
  const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
  const answers: Array<[number, string | undefined]> = [];
  for (let i = 0; i < 7; i++) {
    const response = await request.get('/api/hello', { headers: { 'x-real-ip': `${address}` } });
    answers.push([response.status(), /r=(\d+)/.exec(response.headers()['ratelimit'] ?? '')?.[1]]);
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
  const refused = await request.get('/api/hello', { headers: { 'x-real-ip': address } });
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(await refused.json()).toMatchObject({ status: 429 });
  const other = await request.get('/api/hello', { headers: { 'x-real-ip': '203.0.113.77' } });
  expect(other.status()).toBe(200);
  expect(await other.json()).toEqual({ hello: 'world' });
});

test('150 concurrent requests from one address: exactly 5 pass', async ({ request }) => {
  const address = `192.0.2.${Math.floor(Math.random() * 250) + 1}`;
  const statuses = await Promise.all(
    Array.from({ length: 150 }, () =>
      request.get('/api/hello', { headers: { 'x-real-ip': address } }).then((r) => r.status()),
    ),
  );
  expect(statuses.filter((status) => status === 200)).toHaveLength(5);
  expect(statuses.filter((status) => status === 429)).toHaveLength(145);
});

test('the bridge route is not there for anyone without its secret', async ({ request }) => {
  const forged = await request.post('/api/limit', {
    headers: { Authorization: 'Bearer guess' },
    data: { checks: [{ group: 'api', ip: '1.2.3.4' }] },
  });
  expect(forged.status()).toBe(404);
});

import { readFileSync } from 'node:fs';
import { expect, test } from './support/test';
import { request as httpRequest } from 'node:http';
import { awaitRoomInWindow } from '../lib/runtime/timing';

// Each test speaks from its own loopback address (127.0.0.0/8 all reaches the server), so it is a client
// of its own and its floods cannot spill into other tests.
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  baseURL: string,
  path: string,
  from: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  const url = new URL(path, baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method, localAddress: from, headers, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A loopback address of this project's own, so the Node and Edge runs do not share counters in Redis. */
function client(n: number): string {
  return `127.0.${test.info().project.name === 'edge' ? 1 : 0}.${n}`;
}

test.describe('the middleware runtime each project claims', () => {
  test('the build this project serves runs middleware on its runtime (edge: through the bridge)', async ({
    baseURL,
  }, testInfo) => {
    if (testInfo.project.name === 'edge') {
      const manifest = JSON.parse(readFileSync('.data/edge-app/.next/server/middleware-manifest.json', 'utf8'));
      expect(manifest.middleware['/']?.entrypoint).toMatch(/edge-wrapper/);
      // An Edge middleware has no Redis: limit headers on an API answer can only come through the bridge.
      const response = await fetch(`${baseURL}/api/version`);
      expect(response.headers.get('ratelimit-policy')).toContain('"api"');
    } else {
      const functions = JSON.parse(readFileSync('.next/server/functions-config-manifest.json', 'utf8'));
      expect(functions.functions['/_middleware']?.runtime).toBe('nodejs');
      expect(JSON.parse(readFileSync('.next/server/middleware-manifest.json', 'utf8')).middleware).toEqual({});
    }
  });
});

test.describe('rate limits through next start', () => {
  test('API responses carry the RateLimit header fields', async ({ baseURL }) => {
    const reply = await send(baseURL!, '/api/files', client(11));
    expect(reply.headers['ratelimit-policy']).toBe('"api";q=100;w=60');
    expect(reply.headers['ratelimit']).toMatch(/^"api";r=99;t=\d+$/);
  });

  test('the 101st API request in a minute gets 429, Retry-After and a JSON problem', async ({ baseURL }) => {
    // A sliding-window counter may legitimately admit the 101st across a window boundary: start inside one.
    await awaitRoomInWindow(15_000);
    const from = client(12);
    for (let i = 0; i < 100; i++) expect((await send(baseURL!, '/api/files', from)).status).not.toBe(429);
    const limited = await send(baseURL!, '/api/files', from);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    const problem = JSON.parse(limited.body);
    expect(problem).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(problem.detail).toMatch(/Please wait \d+ (second|minute)s? and try again/);
    // another client is not affected
    expect((await send(baseURL!, '/api/files', client(13))).status).not.toBe(429);
  });

  test('a spoofed X-Forwarded-For from a direct client changes nothing', async ({ baseURL }) => {
    const from = client(14);
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) {
      const reply = await send(baseURL!, '/api/files', from, {
        'X-Forwarded-For': `198.51.100.${i}`,
        'X-Zigznote-Peer-Ip': `203.0.113.${i}`,
      });
      statuses.push(reply.status);
    }
    expect(statuses.slice(0, 100).includes(429)).toBe(false);
    expect(statuses[100]).toBe(429);
  });

  test('health is never rate limited', async ({ baseURL }) => {
    const from = client(15);
    for (let i = 0; i < 120; i++) {
      const reply = await send(baseURL!, '/api/health', from);
      expect(reply.status).toBe(200);
    }
  });
});

test.describe('the limiter bridge for Edge middleware', () => {
  test('refuses callers without the secret', async ({ request }) => {
    const forged = await request.post('/api/internal/rate-limit', {
      headers: { Authorization: 'Bearer guess' },
      data: { group: 'api', ip: '1.2.3.4' },
    });
    expect(forged.status()).toBe(404);
    const bare = await request.post('/api/internal/rate-limit', { data: { group: 'api', ip: '1.2.3.4' } });
    expect(bare.status()).toBe(404);
  });
});

test.describe('signed-in API clients', () => {
  test('are limited per user, not per address', async ({ page, browser }) => {
    const { verifiedUser } = await import('./support/accounts');
    await verifiedUser(page);
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await page.request.get('/api/files')).status());
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true);
    expect(statuses[100]).toBe(429);

    // another user on the same address has a budget of their own
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await verifiedUser(otherPage);
    const response = await otherPage.request.get('/api/files');
    expect(response.status()).toBe(200);
    expect(response.headers()['ratelimit']).toMatch(/^"api";r=99;/);
    await other.close();
  });
});

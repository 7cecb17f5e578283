// @zigznote/ratelimit/next: the middleware helper's answers, and the Edge bridge end to end over HTTP to
// a bridge route backed by a limiter on the real Redis.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NextRequest } from 'next/server.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, type PolicyTable } from '../src/index.js';
import {
  bridgeDecide,
  createBridgeHandler,
  limitRequest,
  parseTrustedProxies,
  type Decide,
  type LimitDecision,
} from '../src/next/index.js';
import { connectRedis, freshPrefix } from './redis.js';

type Group = 'api' | 'signin';
const allowed: LimitDecision = {
  allowed: true,
  status: 200,
  headers: { RateLimit: '"api";r=9;t=10' },
  retryAfterSeconds: 0,
};
const refused: LimitDecision = {
  allowed: false,
  status: 429,
  headers: { RateLimit: '"api";r=0;t=7', 'Retry-After': '7' },
  retryAfterSeconds: 7,
};
const request = (path: string, headers: Record<string, string> = {}) =>
  new NextRequest(`http://app.test${path}`, { headers });
const base = {
  group: (r: NextRequest) => (r.nextUrl.pathname.startsWith('/api/') ? ('api' as const) : null),
  peerHeader: 'x-real-ip',
};

describe('limitRequest', () => {
  it('lets an allowed request go on with the RateLimit fields, and asks about the right client', async () => {
    const asked: unknown[] = [];
    const decide: Decide<Group> = async (check) => (asked.push(check), allowed);
    const response = await limitRequest(
      request('/api/x', { 'x-real-ip': '10.0.0.2', 'x-forwarded-for': '203.0.113.9', cookie: 'sid=abc' }),
      {
        ...base,
        decide,
        trustedProxies: parseTrustedProxies('1'),
        sessionCookie: 'sid',
      },
    );
    expect(response.headers.get('x-middleware-next')).toBe('1');
    expect(response.headers.get('RateLimit')).toBe('"api";r=9;t=10');
    expect(asked).toEqual([{ group: 'api', ip: '203.0.113.9', sessionToken: 'abc' }]);
  });

  it("believes no X-Forwarded-For without trusted proxies, and never a client's own for the peer", async () => {
    const asked: Array<{ ip: string }> = [];
    await limitRequest(request('/api/x', { 'x-real-ip': '10.0.0.2', 'x-forwarded-for': '1.1.1.1' }), {
      ...base,
      decide: async (c) => (asked.push(c), allowed),
    });
    expect(asked[0]!.ip).toBe('10.0.0.2');
  });

  it('refuses over the limit with a problem+json 429 and Retry-After; leaves unmatched paths alone', async () => {
    const response = await limitRequest(request('/api/x', { 'x-real-ip': '10.0.0.2' }), {
      ...base,
      decide: async () => refused,
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toMatchObject({ status: 429, detail: 'Too many requests: try again in 7 seconds.' });
    const page = await limitRequest(request('/about'), { ...base, decide: async () => refused });
    expect(page.headers.get('x-middleware-next')).toBe('1');
  });

  it('when the limiter cannot be reached: on for a fail-open group, 503 for the others', async () => {
    const down: Decide<Group> = async () => {
      throw new Error('bridge down');
    };
    const quiet = { onUnreachable: () => {} };
    const open = await limitRequest(request('/api/x', { 'x-real-ip': '10.0.0.2' }), {
      ...base,
      ...quiet,
      decide: down,
      failOpen: () => true,
    });
    expect(open.headers.get('x-middleware-next')).toBe('1');
    const closed = await limitRequest(request('/api/x', { 'x-real-ip': '10.0.0.2' }), {
      ...base,
      ...quiet,
      decide: down,
    });
    expect(closed.status).toBe(503);
    expect(closed.headers.get('retry-after')).toBe('5');
  });

  it('strips headers a client must not send, and adds the ones the app should see', async () => {
    const response = await limitRequest(request('/about', { 'x-verdict': 'forged' }), {
      ...base,
      decide: async () => allowed,
      stripHeaders: ['x-verdict'],
      requestHeaders: { 'x-nonce': 'n1' },
    });
    const overridden = response.headers.get('x-middleware-override-headers') ?? '';
    expect(overridden.split(',')).toContain('x-nonce');
    expect(overridden.split(',')).not.toContain('x-verdict');
    expect(response.headers.get('x-middleware-request-x-nonce')).toBe('n1');
  });
});

describe('the Edge bridge, over HTTP to a limiter on Redis', () => {
  const redis = connectRedis();
  const secret = 'a'.repeat(40);
  const policies: PolicyTable<Group> = {
    api: {
      group: 'api',
      onStoreFailure: 'open',
      rules: [{ name: 'api', limit: 5, windowMs: 60_000, algorithm: 'sliding-log', identity: 'ip' }],
    },
    signin: {
      group: 'signin',
      onStoreFailure: 'closed',
      rules: [{ name: 'signin', limit: 3, windowMs: 60_000, algorithm: 'sliding-log', identity: 'ip' }],
    },
  };
  const limiter = createRateLimiter({ redis, policies, prefix: `${freshPrefix()}:`, log: () => {} });
  const handler = createBridgeHandler<Group>({
    secret,
    decide: (check) => limiter.limit(check),
    isGroup: (g): g is Group => g === 'api' || g === 'signin',
  });
  let server: Server;
  let url = '';
  let posts = 0;

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      posts++;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await handler(
        new Request(`http://bridge${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      );
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/limit`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('50 concurrent checks from one address: exactly 5 allowed, in far fewer POSTs than checks', async () => {
    const decide = bridgeDecide<Group>({ url, secret });
    posts = 0;
    const decisions = await Promise.all(Array.from({ length: 50 }, () => decide({ group: 'api', ip: '198.51.100.7' })));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(
      decisions.filter((d) => !d.allowed).every((d) => d.status === 429 && Number(d.headers['Retry-After']) > 0),
    ).toBe(true);
    expect(posts).toBeLessThanOrEqual(10);
  });

  it('a lone check is sent at once, alone', async () => {
    const decide = bridgeDecide<Group>({ url, secret });
    posts = 0;
    expect((await decide({ group: 'signin', ip: '198.51.100.8' })).allowed).toBe(true);
    expect(posts).toBe(1);
  });

  it('without the secret the route does not exist; a bad batch decides nothing', async () => {
    const post = (body: unknown, auth = `Bearer ${secret}`) =>
      fetch(url, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ checks: [{ group: 'api', ip: '1.2.3.4' }] }, 'Bearer guess')).status).toBe(404);
    expect((await post({ checks: [{ group: 'admin', ip: '1.2.3.4' }] })).status).toBe(400);
    expect((await post({ checks: Array.from({ length: 65 }, () => ({ group: 'api', ip: '1.2.3.4' })) })).status).toBe(
      400,
    );
    expect((await post({ checks: [{ group: 'api', ip: '' }] })).status).toBe(400);
    const wrong = bridgeDecide<Group>({ url, secret: 'b'.repeat(40) });
    await expect(wrong({ group: 'api', ip: '1.2.3.4' })).rejects.toThrow(/bridge answered 404/);
  });

  it('is refused at construction with a short secret or no URL', () => {
    expect(() => bridgeDecide({ url, secret: 'short' })).toThrow(/at least 32 characters/);
    expect(() => bridgeDecide({ url: '/api/limit', secret })).toThrow(/full URL/);
  });
});

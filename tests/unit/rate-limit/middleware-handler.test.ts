import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NAMES,
  GROUP_HEADER,
  handleRateLimit,
  PEER_HEADER,
  readVerdict,
  VERDICT_HEADER,
  type DecideFn,
  type MiddlewareCheck,
} from '@/lib/rate-limit';
import { SESSION_COOKIE_PRODUCTION } from '@/lib/auth/cookie-names';

const names = { ...DEFAULT_NAMES, sessionCookie: SESSION_COOKIE_PRODUCTION };

function request(method: string, path: string, headers: Record<string, string> = {}) {
  return new NextRequest(new URL(path, 'http://app.test'), {
    method,
    headers: { [PEER_HEADER]: '203.0.113.5', ...headers },
  });
}

function deciding(allowed: boolean, status: 200 | 429 | 503 = allowed ? 200 : 429) {
  const seen: MiddlewareCheck[] = [];
  const decide: DecideFn = async (check) => {
    seen.push(check);
    return {
      allowed,
      status,
      retryAfterSeconds: allowed ? 0 : 540,
      headers: { RateLimit: `"x";r=${allowed ? 1 : 0};t=540` },
    };
  };
  return { decide, seen };
}

/** The request headers middleware forwards to the page or action (Next encodes them on the response). */
function forwardedVerdict(response: Response): string | null {
  return response.headers.get(`x-middleware-request-${VERDICT_HEADER}`);
}

describe('middleware over the limiter', () => {
  it('passes a form post over its limit on to the action with the verdict, instead of breaking the page', async () => {
    const response = await handleRateLimit(request('POST', '/auth/login'), deciding(false).decide, null, names);
    expect(response.status).toBe(200);
    expect(forwardedVerdict(response)).toBe('429;540');
    expect(response.headers.get('RateLimit')).toBe('"x";r=0;t=540');
    expect(readVerdict(new Headers({ [VERDICT_HEADER]: '429;540' }))?.message).toBe(
      'Too many attempts. Please wait 9 minutes and try again.',
    );
  });

  it('never forwards a verdict or group a client wrote itself', async () => {
    const response = await handleRateLimit(
      request('POST', '/auth/login', { [VERDICT_HEADER]: '429;99999' }),
      deciding(true).decide,
      null,
      names,
    );
    expect(forwardedVerdict(response)).toBeNull();
    const page = await handleRateLimit(
      request('POST', '/', { [GROUP_HEADER]: 'login' }),
      deciding(true).decide,
      null,
      names,
    );
    expect(page.headers.get(`x-middleware-request-${GROUP_HEADER}`)).toBeNull();
  });

  it('tells the action which group it limited, so per-IP limits are not counted twice', async () => {
    const response = await handleRateLimit(request('POST', '/auth/login'), deciding(true).decide, null, names);
    expect(response.headers.get(`x-middleware-request-${GROUP_HEADER}`)).toBe('login');
  });

  it('answers /api over its limit with 429 and a problem body', async () => {
    const response = await handleRateLimit(request('GET', '/api/files'), deciding(false).decide, null, names);
    expect(response.status).toBe(429);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 429, retryAfter: 540 });
  });

  it('answers 503 when the store is down for a fail-closed group', async () => {
    const response = await handleRateLimit(request('GET', '/api/files'), deciding(false, 503).decide, null, names);
    expect(response.status).toBe(503);
    expect((await response.json()).detail).toMatch(/temporarily unavailable/);
  });

  it('hands the session cookie to the limiter so api limits count per user', async () => {
    const { decide, seen } = deciding(true);
    await handleRateLimit(
      request('GET', '/api/files', { cookie: '__Host-zigznote_session=abc123' }),
      decide,
      null,
      names,
    );
    expect(seen[0]).toEqual({ group: 'api', ip: '203.0.113.5', sessionToken: 'abc123' });
  });

  it('when the limiter itself cannot be reached, serves the api group unlimited and tells forms it is unavailable', async () => {
    const unreachable: DecideFn = async () => {
      throw new Error('rate-limit bridge answered 502');
    };
    const api = await handleRateLimit(request('GET', '/api/files'), unreachable, null, names);
    expect(api.status).toBe(200);
    expect(api.headers.get('x-middleware-next')).toBe('1');
    const login = await handleRateLimit(request('POST', '/auth/login'), unreachable, null, names);
    expect(login.status).toBe(200);
    expect(forwardedVerdict(login)).toBe('503;5');
    expect(readVerdict(new Headers({ [VERDICT_HEADER]: '503;5' }))?.message).toBe(
      'This is temporarily unavailable. Please try again in 5 seconds.',
    );
  });

  it("takes another app's names: its session cookie, peer header and internal headers", async () => {
    const names = {
      sessionCookie: 'sid',
      peerHeader: 'x-acme-peer',
      verdictHeader: 'x-acme-verdict',
      groupHeader: 'x-acme-group',
    };
    const { decide, seen } = deciding(false);
    const incoming = new NextRequest(new URL('/auth/login', 'http://app.test'), {
      method: 'POST',
      headers: { 'x-acme-peer': '198.51.100.8', cookie: 'sid=token-1', 'x-acme-verdict': '429;1' },
    });
    const response = await handleRateLimit(incoming, decide, null, names);
    expect(seen[0]).toMatchObject({ ip: '198.51.100.8', sessionToken: 'token-1' });
    expect(response.headers.get('x-middleware-request-x-acme-verdict')).toBe('429;540');
    expect(response.headers.get('x-middleware-request-x-acme-group')).toBe('login');
    expect(forwardedVerdict(response)).toBeNull();
    expect(readVerdict(new Headers({ 'x-acme-verdict': '429;540' }), names)?.status).toBe(429);
  });

  it('leaves pages alone', async () => {
    const { decide, seen } = deciding(false);
    const response = await handleRateLimit(request('GET', '/auth/login'), decide, null, names);
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(0);
  });
});

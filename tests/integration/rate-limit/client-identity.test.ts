import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrustedProxies, resolveClientIp } from '@/lib/rate-limit';
import { appLimiter, limitOf, spentBudget } from '../../support/app-limiter';

const client = new Redis(process.env.REDIS_URL!);
const limiter = appLimiter(client);
const registerLimit = limitOf('register');
const run = Date.now().toString(16);
// Addresses unique to this run: counters of earlier runs live on in Redis for the window.
const octets = [run.slice(-6, -4), run.slice(-4, -2), run.slice(-2)].map((h) => parseInt(h, 16) % 250).join('.');

afterAll(async () => {
  await client.quit();
});

async function register(peer: string, forwardedFor: string | null, trusted = parseTrustedProxies(undefined)) {
  return limiter.limit({ group: 'register', ip: resolveClientIp(peer, forwardedFor, trusted) });
}

describe('client identity against real Redis', () => {
  it('a direct client rotating spoofed X-Forwarded-For values gets no fresh budget', async () => {
    const peer = `100.${octets}`;
    const results = [];
    for (let i = 0; i <= registerLimit; i++)
      results.push((await register(peer, `198.51.100.${i % 250}, 10.0.0.${i % 250}`)).status);
    expect(results).toEqual(spentBudget(registerLimit));
  });

  it('rotating IPv6 addresses inside one /64 gets no fresh budget', async () => {
    const prefix = `2001:db8:${run.slice(-4)}:1`;
    const results = [];
    for (let i = 0; i <= registerLimit; i++)
      results.push((await register(`${prefix}:${(i + 1).toString(16)}::${i + 7}`, null)).status);
    expect(results).toEqual(spentBudget(registerLimit));
    // the neighbouring /64 is somebody else
    expect((await register(`2001:db8:${run.slice(-4)}:2::1`, null)).status).toBe(200);
  });

  it('behind a trusted proxy, each forwarded client has its own budget', async () => {
    const trusted = parseTrustedProxies('10.0.0.0/8');
    for (let i = 0; i < registerLimit; i++)
      expect((await register('10.0.0.1', `101.${octets}`, trusted)).status).toBe(200);
    expect((await register('10.0.0.1', `101.${octets}`, trusted)).status).toBe(429);
    expect((await register('10.0.0.1', `102.${octets}`, trusted)).status).toBe(200);
  });
});

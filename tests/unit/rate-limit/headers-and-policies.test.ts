import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICIES,
  describeWait,
  FORM_POST_GROUPS,
  rateLimitSettingProblems,
  rateLimitHeaders,
  resolvePolicies,
  ROUTE_GROUPS,
  routeGroupOf,
} from '@/lib/rate-limit';

describe('RateLimit header fields', () => {
  it('follow the IETF draft syntax, with Retry-After on rejection', () => {
    const headers = rateLimitHeaders({
      allowed: false,
      limits: [
        { name: 'login', limit: 5, windowMs: 900_000, remaining: 0, resetMs: 539_100 },
        { name: 'login-ip', limit: 30, windowMs: 900_000, remaining: 12, resetMs: 800_000 },
      ],
    });
    expect(headers['RateLimit-Policy']).toBe('"login";q=5;w=900, "login-ip";q=30;w=900');
    expect(headers.RateLimit).toBe('"login";r=0;t=540, "login-ip";r=12;t=800');
    expect(headers['Retry-After']).toBe('540');
  });

  it('send no Retry-After while requests are allowed', () => {
    const headers = rateLimitHeaders({
      allowed: true,
      limits: [{ name: 'api', limit: 100, windowMs: 60_000, remaining: 99, resetMs: 60_000 }],
    });
    expect(headers).not.toHaveProperty('Retry-After');
  });

  it('say how long to wait in words people read', () => {
    expect(describeWait(1)).toBe('1 second');
    expect(describeWait(45)).toBe('45 seconds');
    expect(describeWait(540)).toBe('9 minutes');
    expect(describeWait(3_600)).toBe('1 hour');
  });
});

describe('the policy table', () => {
  // The numbers have one home, policies.ts (a limit changes there alone); what is checked here is the
  // shape that makes them safe: who each rule counts, how, and what happens when Redis is away.
  it('counts each group by the identity and algorithm its risk needs, and fails closed except api and session', () => {
    expect(DEFAULT_POLICIES.login.rules.map((r) => [r.identity, r.algorithm])).toEqual([
      ['ip+email', 'sliding-log'],
      ['ip', 'sliding-counter'],
      ['ip48', 'sliding-counter'],
    ]);
    expect(DEFAULT_POLICIES['login-account'].rules[0]).toMatchObject({ identity: 'email', cost: 0 });
    expect(DEFAULT_POLICIES.register.rules.map((r) => r.identity)).toEqual(['ip', 'ip48', 'global']);
    expect(DEFAULT_POLICIES['password-reset'].rules.map((r) => r.identity)).toEqual(['ip', 'email']);
    expect(DEFAULT_POLICIES.api.rules[0]).toMatchObject({ identity: 'user-or-ip', algorithm: 'sliding-counter' });
    expect(DEFAULT_POLICIES.uploads.rules[0]).toMatchObject({ identity: 'user' });
    for (const group of ROUTE_GROUPS)
      expect(DEFAULT_POLICIES[group].onStoreFailure, group).toBe(
        group === 'api' || group === 'session' ? 'open' : 'closed',
      );
  });

  it('takes overrides from configuration without touching the defaults', () => {
    const policies = resolvePolicies('login=10/30m, api=300/1m');
    expect(policies.login.rules[0]).toMatchObject({ limit: 10, windowMs: 1_800_000 });
    expect(policies.api.rules[0]).toMatchObject({ limit: 300, windowMs: 60_000 });
    expect(DEFAULT_POLICIES.login.rules[0]!.limit).not.toBe(10);
    expect(resolvePolicies(undefined).login.rules[0]).toEqual(DEFAULT_POLICIES.login.rules[0]);
  });

  it('checks RATE_LIMITS and RATE_LIMITS_SHADOW against the table at start-up, worded as configuration errors', () => {
    expect(rateLimitSettingProblems({})).toEqual([]);
    expect(rateLimitSettingProblems({ rateLimitOverrides: 'login=10/30m', rateLimitShadow: 'api' })).toEqual([]);
    const problems = rateLimitSettingProblems({ rateLimitOverrides: 'logn=5/15m', rateLimitShadow: 'regster' });
    expect(problems[0]).toMatch(/^RATE_LIMITS no limit is named "logn" \(known: login, /);
    expect(problems[1]).toMatch(/^RATE_LIMITS_SHADOW no limit is named "regster"/);
    expect(rateLimitSettingProblems({ rateLimitOverrides: 'login=0/15m' })[0]).toContain('needs a limit ≥ 1');
  });

  it('names the bad override', () => {
    expect(() => resolvePolicies('logn=10/30m')).toThrow(/no limit is named "logn"/);
    expect(() => resolvePolicies('login=ten')).toThrow(/"login=ten" is not name=limit\/window/);
  });
});

describe('route groups', () => {
  it('are the keys of the one policy table, each policy naming its own group, each form post routed to it', () => {
    expect(Object.keys(DEFAULT_POLICIES)).toEqual(ROUTE_GROUPS);
    for (const group of ROUTE_GROUPS) expect(DEFAULT_POLICIES[group].group).toBe(group);
    expect(FORM_POST_GROUPS.size).toBeGreaterThan(0);
    for (const [path, group] of FORM_POST_GROUPS) {
      expect(routeGroupOf('POST', path)).toBe(group);
      expect(routeGroupOf('GET', path)).toBeNull();
    }
  });

  it('maps form posts and API routes to their group', () => {
    expect(routeGroupOf('POST', '/auth/login')).toBe('login');
    expect(routeGroupOf('POST', '/auth/signup/')).toBe('register');
    expect(routeGroupOf('POST', '/auth/forgot-password')).toBe('password-reset');
    expect(routeGroupOf('POST', '/auth/reset-password')).toBe('reset-password');
    // signed by SNS, arriving in bursts: never counted in the per-IP api limit
    expect(routeGroupOf('POST', '/api/email/sns')).toBeNull();
    expect(routeGroupOf('POST', '/api/uploads')).toBe('api');
    expect(routeGroupOf('GET', '/api/files')).toBe('api');
    expect(routeGroupOf('DELETE', '/api/files/3')).toBe('api');
  });

  it('leaves pages, health and the internal bridge alone', () => {
    expect(routeGroupOf('GET', '/auth/login')).toBeNull();
    expect(routeGroupOf('GET', '/')).toBeNull();
    expect(routeGroupOf('GET', '/api/health')).toBeNull();
    expect(routeGroupOf('POST', '/api/internal/rate-limit')).toBeNull();
    expect(routeGroupOf('GET', '/api/observability')).toBeNull();
    expect(routeGroupOf('GET', '/api/session')).toBeNull();
    expect(routeGroupOf('GET', '/apiary')).toBeNull();
  });
});

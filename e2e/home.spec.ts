import { expect, test } from './support/test';
import { readFileSync } from 'node:fs';
import { HEALTH_TOKEN } from '../playwright.config';
import { PRERENDERED_PAGES } from '../app/links/prerendered-pages';

test.describe('home page and health', () => {
  test('the home page links to every flow', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'zigznote' })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Get started' });
    await expect(nav.getByRole('link', { name: /Sign up/ })).toHaveAttribute('href', '/auth/signup');
    await expect(nav.getByRole('link', { name: /Log in/ })).toHaveAttribute('href', '/auth/login');
    await expect(nav.getByRole('link', { name: /Your files/ })).toHaveAttribute('href', '/files');
  });

  test('the public pages render per request, each with a Content-Security-Policy nonce of its own', async ({
    request,
  }) => {
    for (const path of ['/', '/auth/signup', '/auth/login', '/auth/forgot-password']) {
      const [first, again] = [await request.get(path), await request.get(path)];
      expect(again.status(), path).toBe(200);
      expect(again.headers()['x-nextjs-prerender'], path).toBeUndefined();
      const nonces = [first, again].map(
        (response) => /'nonce-([^']+)'/.exec(response.headers()['content-security-policy'] ?? '')?.[1],
      );
      expect(nonces[0], path).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(nonces[1], path).not.toBe(nonces[0]);
      const html = await again.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag);
      expect(scripts.length, path).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, path).toContain(`nonce="${nonces[1]}"`);
    }
  });

  test("links prefetch exactly the pages the build prerendered (AppLink's table is the build's)", () => {
    const manifest = JSON.parse(readFileSync('.next/prerender-manifest.json', 'utf8')) as {
      routes: Record<string, { dataRoute: string | null }>;
    };
    // pages have an RSC data route; prerendered route handlers have none; Next's own error pages are not link targets
    const pages = Object.entries(manifest.routes)
      .filter(([path, route]) => route.dataRoute !== null && !path.startsWith('/_'))
      .map(([path]) => path)
      .sort();
    expect(pages).toEqual([...PRERENDERED_PAGES].sort());
  });

  test('/api/metrics exists only for METRICS_TOKEN, and counts rate-limit decisions in Prometheus format', async ({
    request,
  }) => {
    expect((await request.get('/api/metrics')).status()).toBe(404);
    expect(
      (await request.get('/api/metrics', { headers: { Authorization: 'Bearer not-the-metrics-token' } })).status(),
    ).toBe(404);
    await request.get('/api/version');
    const response = await request.get('/api/metrics', { headers: { Authorization: `Bearer ${HEALTH_TOKEN}` } });
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toMatch(
      /^zigznote_rate_limit_decisions_total\{group="api",rule="api",outcome="allowed",source="store"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(/^zigznote_rate_limit_check_seconds_count\{group="api",source="store"\} [1-9]\d*$/m);
    expect(text).toContain('# TYPE zigznote_redis_errors_total counter');
    expect(text).toMatch(/^zigznote_cache_operations\{handler="incremental",result="hits"\} \d+$/m);
    for (const name of ['backup_last_success_timestamp_seconds', 'backup_size_bytes', 'backup_failures_total'])
      expect(text).toContain(`# TYPE ${name} gauge`);
  });

  test('/api/health tells anonymous monitors ok and latency only', async ({ request }) => {
    const response = await request.get('/api/health');
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['database', 'email', 'redis', 'storage']);
    for (const check of Object.values(body.checks))
      expect(Object.keys(check as object).sort()).toEqual(['latencyMs', 'ok']);
    expect(body.backups).toBeUndefined();
    const wrongToken = await request.get('/api/health', { headers: { Authorization: 'Bearer not-the-health-token' } });
    expect(JSON.stringify(await wrongToken.json())).not.toContain('mode');
  });

  test('/api/health reports every real service ok, with detail for HEALTH_TOKEN', async ({ request }) => {
    const response = await request.get('/api/health', { headers: { Authorization: `Bearer ${HEALTH_TOKEN}` } });
    expect(response.status()).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.checks.redis).toMatchObject({ ok: true, mode: 'redis', limiter: { degraded: false } });
    expect(body.checks.storage).toMatchObject({ ok: true, mode: 'minio' });
    expect(body.checks.database).toMatchObject({ ok: true, mode: 'postgres' });
    expect(body.checks.email).toMatchObject({ ok: true });
    expect(body.checks.email.mode).toMatch(/^ses/);
    for (const check of Object.values(body.checks) as Array<{ latencyMs: number }>) {
      expect(typeof check.latencyMs).toBe('number');
    }
    // No backup was ever made for this test stack: said to the operator, without making the app unhealthy.
    expect(body.backups).toMatchObject({ ok: false });
    expect(body.backups.problem).toMatch(
      /^(no complete backup set yet: run scripts\/backup|the backups bucket zigznote-backups cannot be read: .+)$/,
    );
  });
});

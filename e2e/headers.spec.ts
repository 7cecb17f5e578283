import { expect, test, watchAppRequests } from './support/test';

// The static security headers come from next.config.mjs: every response has them, static assets and the
// middleware's own refusals included, and pages whose URL carries a secret token send no Referer.
test.describe('security headers', () => {
  test('on pages, static assets and middleware refusals alike', async ({ page, request }) => {
    const assets: string[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/_next/static/')) assets.push(response.url());
    });
    const home = await page.goto('/');
    expect(assets.length).toBeGreaterThan(0);
    const asset = await request.get(assets[0]!);
    const refusal = await request.post('/api/uploads', { headers: { Origin: 'https://elsewhere.example' }, data: {} });
    expect(refusal.status()).toBe(403);
    for (const headers of [home!.headers(), asset.headers(), refusal.headers()]) {
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    }
  });

  test('HSTS with subdomains and a Permissions-Policy that allows no device, on every response', async ({
    request,
  }) => {
    for (const path of ['/', '/auth/verify-email?token=x', '/api/version']) {
      const headers = (await request.get(path)).headers();
      expect(headers['strict-transport-security'], path).toBe('max-age=63072000; includeSubDomains');
      expect(headers['permissions-policy'], path).toBe(
        'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()',
      );
    }
  });

  test('the Content-Security-Policy refuses an injected inline script, and the journey watch sees the violation', async ({
    page,
    browser,
    baseURL,
  }) => {
    const response = await page.goto('/auth/login');
    const policy = response!.headers()['content-security-policy']!;
    expect(policy).toMatch(/script-src 'nonce-[^']+' 'strict-dynamic'(;|$)/);
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    // presigned uploads go straight to storage: its origin is the one the browser may reach besides ours
    expect(policy).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+(;| )/);
    // markup an attacker got into the page (as stored XSS would) runs nothing, while the app's own scripts run
    const context = await browser.newContext({ baseURL });
    const watch = watchAppRequests(context, new URL(baseURL!).origin);
    await context.route('**/auth/login', async (route) => {
      const served = await route.fetch();
      const injected =
        '<script>window.__injected = "script"</script><img src="data:," onerror="window.__injected = \'handler\'">';
      await route.fulfill({ response: served, body: (await served.text()).replace('</body>', `${injected}</body>`) });
    });
    const attacked = await context.newPage();
    await attacked.goto('/auth/login');
    await expect(attacked.getByRole('button', { name: 'Log in' })).toBeVisible();
    await attacked.waitForLoadState('load');
    expect(
      await attacked.evaluate(() => ({
        injected: (window as { __injected?: string }).__injected,
        hydrated: 'next' in window,
      })),
    ).toEqual({
      injected: undefined,
      hydrated: true,
    });
    await expect(watch.check()).rejects.toThrow(/CSP violation/);
    await context.close();
  });

  test('no Referer from the pages whose URL carries a token', async ({ request }) => {
    for (const path of ['/auth/verify-email?token=x', '/auth/reset-password?token=x', '/auth/unlock?token=x']) {
      expect((await request.get(path)).headers()['referrer-policy'], path).toBe('no-referrer');
    }
  });
});

test('an unknown address answers 404 with a page that says so and links home', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await expect(page).toHaveURL(/\/$/);
});

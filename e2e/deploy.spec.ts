import { expect, test } from './support/test';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { envelopeListener } from '../tests/support/envelope-listener';
import { freePort, startRedisServer } from '../tests/support/redis-server';
import { signedInUser } from './support/accounts';
import { startNpmStart, startStandalone } from './support/standalone';

// The image runs `node server.js` from the assembled standalone output: so do these tests, against the
// real services, exactly as the Dockerfile lays it out.

test.describe('the deployed server', () => {
  test('standalone server.js, assembled as the image does, reports every real service healthy', async () => {
    const token = 'deploy-health-token-0123456789abcdef';
    const server = await startStandalone(3410, { HEALTH_TOKEN: token });
    try {
      const response = await fetch(`${server.url}/api/health`);
      const body = await response.json();
      expect(response.status, server.output()).toBe(200);
      expect(body.status).toBe('ok');
      for (const check of ['redis', 'storage', 'database', 'email']) expect(body.checks[check].ok).toBe(true);
      // The SES sending thread loads the SDK from the standalone output's node_modules, not the project's.
      await expect
        .poll(
          async () => {
            const detailed = await fetch(`${server.url}/api/health`, { headers: { Authorization: `Bearer ${token}` } });
            return (await detailed.json()).checks.email.sendingOn;
          },
          { timeout: 15_000 },
        )
        .toBe('thread');
    } finally {
      await server.stop();
    }
  });

  test('a route that throws reaches error tracking, without passwords, tokens or cookies', async () => {
    const listener = await envelopeListener();
    const server = await startStandalone(3411, { SENTRY_DSN: listener.dsn, ENABLE_DEBUG_ROUTES: 'true' });
    try {
      const response = await fetch(`${server.url}/api/debug/error?token=tok-in-query&password=hunter2`, {
        headers: { Cookie: '__Host-zigznote_session=session-cookie-value', Authorization: 'Bearer bearer-token-value' },
      });
      expect(response.status).toBe(500);
      await expect
        .poll(() => listener.bodies.filter((b) => b.includes('Deliberate error')).length, { timeout: 15_000 })
        .toBeGreaterThan(0);
      const envelopes = listener.bodies.join('\n');
      expect(envelopes).toContain('/api/1/envelope/');
      // the event carries the request it failed on, so there was something to scrub
      expect(envelopes).toContain('/api/debug/error');
      for (const secret of ['tok-in-query', 'hunter2', 'session-cookie-value', 'bearer-token-value'])
        expect(envelopes).not.toContain(secret);
    } finally {
      await server.stop();
      await listener.close();
    }
  });

  test('an error in the browser reaches error tracking too, scrubbed', async ({ page }) => {
    const listener = await envelopeListener();
    const server = await startStandalone(3412, { SENTRY_DSN: listener.dsn });
    try {
      await page.goto(`${server.url}/`);
      await expect
        .poll(async () => (await page.evaluate(() => fetch('/api/observability').then((r) => r.json()))).dsn)
        .toBe(listener.dsn);
      await page.waitForTimeout(500);
      await page.evaluate(() => {
        setTimeout(() => {
          throw new Error('client-side failure with token=client-secret-token');
        });
      });
      await expect
        .poll(() => listener.bodies.filter((b) => b.includes('client-side failure')).length, { timeout: 15_000 })
        .toBeGreaterThan(0);
      expect(listener.bodies.join('\n')).not.toContain('client-secret-token');
    } finally {
      await server.stop();
      await listener.close();
    }
  });

  test('a form over its per-address limit says how long to wait, instead of breaking', async ({ page }) => {
    // One sign-up an hour from this address; the suite has used it up already or this test does.
    const server = await startStandalone(3413, { RATE_LIMITS: 'register=1/1h' });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        await page.goto(`${server.url}/auth/signup`);
        await page.getByLabel('Name').fill('Limited');
        await page.getByLabel('Email').fill(`limited.${Date.now()}.${attempt}@zigznote.test`);
        await page.getByLabel('Password').fill('long enough password');
        await page.getByRole('button', { name: 'Sign up' }).click();
        await expect(
          page.getByRole('main').getByRole('alert').or(page.getByRole('main').getByRole('status')),
        ).toBeVisible();
      }
      await expect(page.getByRole('main').getByRole('alert')).toHaveText(
        /^Too many attempts\. Please wait \d+ (minutes?|hours?) and try again\.$/,
      );
      // what was typed is still there
      await expect(page.getByLabel('Name')).toHaveValue('Limited');
    } finally {
      await server.stop();
    }
  });

  test('three instances started in the same second from one build all serve hydrated pages', async ({ page }) => {
    const servers = await Promise.all([3431, 3432, 3433].map((port) => startNpmStart(port)));
    try {
      for (const server of servers) {
        const html = await (await fetch(`${server.url}/auth/login`)).text();
        // With a deployment id the scripts carry it (`?dpl=`), which the server accepts as is.
        const chunks = [...html.matchAll(/<script src="(\/_next\/static\/[^"]+\.js(?:\?dpl=[^"]+)?)"/g)].map(
          (match) => match[1]!,
        );
        expect(chunks.length, server.output()).toBeGreaterThan(0);
        for (const chunk of chunks) {
          const response = await fetch(`${server.url}${chunk}`);
          expect(response.status, `${chunk} on ${server.url}`).toBe(200);
          expect(response.headers.get('content-type')).toContain('javascript');
        }
        // hydrated: the header asks /api/session from the browser and only then offers Log in
        await page.goto(`${server.url}/auth/login`);
        await expect(
          page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Log in' }),
        ).toBeVisible();
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  });

  test('the debug route does not exist unless enabled', async ({ request, baseURL }) => {
    expect((await request.get(`${baseURL}/api/debug/error`)).status()).toBe(404);
  });

  test('a bad production configuration stops the server with the readable list of problems', async () => {
    const child = spawn('node', ['serve.mjs'], {
      cwd: '.next/standalone',
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: '3412',
        HOSTNAME: '127.0.0.1',
        MINIO_ACCESS_KEY: 'minioadmin',
        MINIO_SECRET_KEY: 'minioadmin',
        AWS_SES_FROM_EMAIL: '',
        REDIS_URL: '',
        REDIS_CLUSTER_NODES: '',
        REDIS_SENTINELS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code, output).not.toBe(0);
    expect(code, output).not.toBeNull();
    expect(output).toContain('Configuration is invalid');
    expect(output).toContain('MINIO_ACCESS_KEY is a well-known default credential');
    expect(output).toContain('AWS_SES_FROM_EMAIL is required in production');
    expect(output).toContain('REDIS_URL is required in production');
    // nothing secret is echoed back
    expect(output).not.toContain(process.env.POSTGRES_PASSWORD ?? 'no-password-set');
  });

  test('SIGTERM drains: health says "draining" at once, new connections stop, a request in flight finishes, exit 0', async ({
    page,
  }) => {
    const server = await startStandalone(3416, { SHUTDOWN_GRACE_SECONDS: '15' });
    try {
      // The server answers before its start-up work is done; the drain is installed as part of it.
      await expect.poll(() => server.output(), { timeout: 30_000 }).toContain('SIGTERM drains');
      await signedInUser(page, server.url);
      const cookie = (await page.context().cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
      const body = JSON.stringify({ bucket: 'audio', filename: 'late.mp3', contentType: 'audio/mpeg', size: 1_000 });
      // An upload request whose body is still arriving when the signal comes, and after the listener closed.
      const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = httpRequest(
          {
            host: '127.0.0.1',
            port: new URL(server.url).port,
            method: 'POST',
            path: '/api/uploads',
            headers: {
              cookie,
              origin: server.url,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode!, text }));
          },
        );
        request.on('error', reject);
        request.write(body.slice(0, 10));
        setTimeout(() => request.end(body.slice(10)), 3_000);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalled = Date.now();
      const exited = server.terminate();
      // The signal and a request sent right after it reach the process's event loop in either order: a
      // health check may still be answered "ok" in the same instant, never after the drain began.
      let health = await fetch(`${server.url}/api/health`);
      while (health.status === 200 && Date.now() - signalled < 500) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        health = await fetch(`${server.url}/api/health`);
      }
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'draining' });
      expect(Date.now() - signalled, 'health said so before the listener closed').toBeLessThan(1_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await expect(fetch(`${server.url}/api/health`), 'no new connection after the pause').rejects.toThrow();
      const answered = await inFlight;
      expect(answered.status, answered.text).toBe(200);
      expect(JSON.parse(answered.text)).toHaveProperty('uploadId');
      expect(await exited).toBe(0);
      expect(server.output()).toMatch(/SIGTERM: draining[\s\S]*stopped after \d+ ms/);
    } finally {
      await server.stop();
    }
  });

  test('SIGTERM with Redis gone: the process still leaves within its grace period', async () => {
    const redis = await startRedisServer(await freePort());
    const server = await startStandalone(3417, {
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      SHUTDOWN_GRACE_SECONDS: '3',
    });
    try {
      await redis.stop();
      // a request that meets the dead Redis, as traffic would
      await fetch(`${server.url}/api/session`, {
        headers: { cookie: '__Host-zigznote_session=' + 'a'.repeat(43) },
      }).catch(() => null);
      const signalled = Date.now();
      const code = await server.terminate();
      expect([0, 1]).toContain(code);
      expect(
        Date.now() - signalled,
        'left within the grace period, plus a second for each closer at most',
      ).toBeLessThan(3_000 + 5_000);
    } finally {
      await server.stop();
    }
  });
});

import { expect, test, watchAppRequests, type Page } from './support/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type RedisProcess } from '../tests/support/redis-server';
import { loopbackListen, loopbackNginxConfig } from '../tests/support/nginx';
import { logIn, logInAndSettle, signUp, verifyFromLink } from './support/accounts';
import { answers, startStandalone, type Started } from './support/standalone';
import { emailsTo, linkFrom, uniqueAddress, waitForEmail } from './support/mailbox';
import { awaitRoomInWindow } from '../lib/runtime/timing';
import { balancerConfig } from '../lib/deploy';

// Two instances of the standalone server (one build, as one image) behind Debian's nginx running the
// production compose file's own configuration, sharing Redis, Postgres and MinIO. The test's nginx adds
// two things only: a header naming the instance that answered, and a request header that pins a request
// to one instance, so "rendered by one, submitted to the other" is a fact of the test, not luck.

export const BALANCER_PORT = 3300;
const INSTANCE_PORTS = { a: 3301, b: 3302 } as const;
const balancer = `http://127.0.0.1:${BALANCER_PORT}`;
const healthToken = 'balanced-e2e-health-token';

let redis: RedisProcess;
let instances: Started[] = [];
let nginx: ChildProcess | undefined;
let frontProxy: ChildProcess | undefined;
const FRONT_PROXY_PORT = 3303;
let account: { email: string; password: string } | undefined;

/** One replica: the standalone server as the compose file runs it, behind the balancer. */
function startInstance(port: number, redisUrl: string): Promise<Started> {
  return startStandalone(port, {
    NEXT_PUBLIC_APP_URL: balancer,
    REDIS_URL: redisUrl,
    // As the README says for a deployment behind one proxy: the hop before the app is nginx.
    TRUSTED_PROXIES: '1',
    HEALTH_TOKEN: healthToken,
    RATE_LIMITS: '',
    RATE_LIMIT_BRIDGE_SECRET: '',
  });
}

/** docker/nginx/nginx.conf, pointed at the two loopback instances instead of the compose replicas. */
function nginxConfig(dir: string): string {
  // The running builds as scripts/deploy writes them (lib/deploy), here the one build of both instances.
  writeFileSync(
    join(dir, 'live.conf'),
    balancerConfig([{ id: 'app', servers: Object.values(INSTANCE_PORTS).map((port) => `127.0.0.1:${port}`) }]),
  );
  return loopbackNginxConfig(dir, {
    listen: loopbackListen(BALANCER_PORT),
    rewrites: [[/proxy_pass http:\/\/\$build_upstream;/, 'proxy_pass http://$pinned_upstream;']],
    httpLines: [
      `  map $http_x_pin_instance $pinned_upstream { a 127.0.0.1:${INSTANCE_PORTS.a}; b 127.0.0.1:${INSTANCE_PORTS.b}; default $build_upstream; }`,
    ],
  });
}

/**
 * The README's TLS proxy in front of nginx, played by a second nginx on loopback: it appends the address
 * it saw to X-Forwarded-For, as Caddy, Traefik and nginx itself do.
 */
function frontProxyConfig(dir: string): string {
  return [
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
    '  server {',
    `    listen 127.0.0.1:${FRONT_PROXY_PORT};`,
    '    location / {',
    `      proxy_pass http://127.0.0.1:${BALANCER_PORT};`,
    '      proxy_set_header Host $http_host;',
    '      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    }',
    '  }',
    '}',
  ].join('\n');
}

async function startNginx(config: (dir: string) => string, url: string): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'zz-nginx-'));
  spawnSync('chmod', ['777', dir]);
  writeFileSync(join(dir, 'nginx.conf'), config(dir));
  const tested = spawnSync('nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  expect(tested.status, tested.stderr).toBe(0);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  await expect.poll(() => answers(url), { timeout: 15_000, message: `nginx for ${url}` }).toBe(true);
  return child;
}

/**
 * A GET from a client at `from` (a loopback address of its own: 127.0.0.1 is where the trusted proxy
 * connects from, any other 127.x is a client nginx does not trust).
 */
function getFrom(
  from: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; upstream: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { localAddress: from, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, upstream: response.headers['x-upstream'] as string | undefined }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  // A Redis of their own: the limits counted here start from zero, whatever other projects spent.
  redis = await startRedisServer(await freePort());
  const redisUrl = `redis://127.0.0.1:${redis.port}`;
  instances = await Promise.all([startInstance(INSTANCE_PORTS.a, redisUrl), startInstance(INSTANCE_PORTS.b, redisUrl)]);
  nginx = await startNginx(nginxConfig, balancer);
  frontProxy = await startNginx(frontProxyConfig, `http://127.0.0.1:${FRONT_PROXY_PORT}`);
});

test.afterAll(async () => {
  for (const proxy of [frontProxy, nginx]) {
    if (!proxy || proxy.exitCode !== null) continue;
    const exited = new Promise((resolve) => proxy.once('exit', resolve));
    proxy.kill('SIGQUIT');
    await exited;
  }
  await Promise.all(instances.map((instance) => instance.stop()));
  await redis?.stop();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const instance of instances) console.log(`--- instance ${instance.url}\n${instance.output().slice(-4000)}`);
  }
});

/** Which instance answered each document and server-action request of the page. */
function recordUpstreams(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on('response', (response) => {
    const upstream = response.headers()['x-upstream'];
    const type = response.request().resourceType();
    if (upstream && (type === 'document' || type === 'fetch')) seen.add(upstream);
  });
  return seen;
}

async function cacheReport(port: number) {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`, {
    headers: { authorization: `Bearer ${healthToken}` },
  });
  const body = (await response.json()) as {
    checks: { redis: { cache: { computations: Record<string, number>; useCache: { hits: number } } } };
  };
  return body.checks.redis.cache;
}

async function acrossInstances() {
  const reports = await Promise.all(Object.values(INSTANCE_PORTS).map(cacheReport));
  return {
    listingsComputed: reports.reduce((sum, report) => sum + (report.computations['file-listing'] ?? 0), 0),
    hits: reports.reduce((sum, report) => sum + report.useCache.hits, 0),
  };
}

test('the API limit lets exactly 100 of 150 concurrent requests through, counted across both instances', async () => {
  // The api rule is a sliding counter over one-minute windows: 150 requests straddling a window's end
  // could legitimately see the next window's budget. Start well inside a window.
  await awaitRoomInWindow(15_000);
  const responses = await Promise.all(
    Array.from({ length: 150 }, (_, i) =>
      // A client nginx does not trust names others in X-Forwarded-For: ignored, every one is the same client.
      getFrom('127.0.0.4', `${balancer}/api/version`, { 'x-forwarded-for': `203.0.113.${i % 250}` }),
    ),
  );
  const statuses = responses.map((response) => response.status);
  expect(statuses.filter((status) => status === 200)).toHaveLength(100);
  expect(statuses.filter((status) => status === 429)).toHaveLength(50);
  const upstreams = new Set(responses.map((response) => response.upstream));
  expect(upstreams).toEqual(new Set([`127.0.0.1:${INSTANCE_PORTS.a}`, `127.0.0.1:${INSTANCE_PORTS.b}`]));
});

test('behind a TLS proxy in front of nginx: two clients keep two budgets, and a spoofed X-Forwarded-For gains nothing', async () => {
  await awaitRoomInWindow(15_000);
  const front = `http://127.0.0.1:${FRONT_PROXY_PORT}/api/version`;
  // client A spends its whole api budget, naming a different address in X-Forwarded-For every time
  const spent = await Promise.all(
    Array.from({ length: 100 }, (_, i) => getFrom('127.0.0.2', front, { 'x-forwarded-for': `198.51.100.${i}` })),
  );
  expect(spent.map((r) => r.status)).toEqual(Array(100).fill(200));
  expect((await getFrom('127.0.0.2', front, { 'x-forwarded-for': '203.0.113.77' })).status).toBe(429);
  expect((await getFrom('127.0.0.2', front)).status).toBe(429);
  // client B, behind the same proxy, still has all of its own
  const other = await Promise.all(Array.from({ length: 10 }, () => getFrom('127.0.0.3', front)));
  expect(other.map((r) => r.status)).toEqual(Array(10).fill(200));
});

test('sign up, verify and log in through the balancer while requests alternate between the instances', async ({
  page,
}) => {
  const upstreams = recordUpstreams(page);
  const email = uniqueAddress('balanced');
  const password = 'correct horse battery';
  await signUp(page, 'Ada', email, password);
  const verification = await waitForEmail(email, 'Verify your email address');
  const link = linkFrom(verification, '/auth/verify-email?token=');
  expect(link.startsWith(`${balancer}/`)).toBe(true);
  await verifyFromLink(page, link);
  await expect(page).toHaveURL(/\/auth\/login\?notice=verified/);
  await logInAndSettle(page, email, password);
  await page.goto('/files');
  await expect(page.getByRole('heading', { level: 1, name: 'Your files' })).toBeVisible();
  expect(upstreams).toEqual(new Set([`127.0.0.1:${INSTANCE_PORTS.a}`, `127.0.0.1:${INSTANCE_PORTS.b}`]));
  account = { email, password };
});

test('a form rendered by one instance is submitted to the other', async ({ page }) => {
  expect(account, 'the sign-up test made the account').toBeDefined();
  await page.setExtraHTTPHeaders({ 'x-pin-instance': 'a' });
  const form = await page.goto('/auth/login');
  expect(form?.headers()['x-upstream']).toBe(`127.0.0.1:${INSTANCE_PORTS.a}`);
  await page.setExtraHTTPHeaders({ 'x-pin-instance': 'b' });
  const submitted = page.waitForResponse(
    (response) => response.request().method() === 'POST' && response.url().includes('/auth/login'),
  );
  await page.getByLabel('Email').fill(account!.email);
  await page.getByLabel('Password').fill(account!.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  expect((await submitted).headers()['x-upstream']).toBe(`127.0.0.1:${INSTANCE_PORTS.b}`);
  await expect(page).toHaveURL(/\/account/);
});

test('a file completed through one instance is listed at once by the other, then served from the cache', async ({
  page,
}) => {
  expect(account, 'the sign-up test made the account').toBeDefined();
  await logIn(page, account!.email, account!.password);
  await expect(page).toHaveURL(/\/account/);
  const api = page.request;
  const on = (instance: 'a' | 'b') => ({ 'x-pin-instance': instance });

  // The listing is cached before the upload: completion must drop it on both instances.
  const before = await api.get('/api/files', { headers: on('b') });
  expect(before.status()).toBe(200);
  expect(((await before.json()) as { files: unknown[] }).files).toHaveLength(0);

  const bytes = Buffer.from('ID3 a short recording');
  const requested = await api.post('/api/uploads', {
    headers: on('a'),
    data: { bucket: 'audio', filename: 'balanced.mp3', contentType: 'audio/mpeg', size: bytes.length },
  });
  expect(requested.status()).toBe(200);
  const upload = (await requested.json()) as { uploadId: string; url: string; fields: Record<string, string> };
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'audio/mpeg' }), 'balanced.mp3');
  expect((await fetch(upload.url, { method: 'POST', body: form })).status).toBe(204);
  const completed = await api.post(`/api/uploads/${upload.uploadId}/complete`, { headers: on('a'), data: {} });
  expect(completed.status()).toBe(200);

  const listedByB = await api.get('/api/files', { headers: on('b') });
  expect(((await listedByB.json()) as { files: Array<{ name: string }> }).files.map((file) => file.name)).toEqual([
    'balanced.mp3',
  ]);
  const afterFirst = await acrossInstances();

  // Within the listing's cache life: both instances answer from Redis, the database is not asked again.
  for (const instance of ['a', 'b', 'a'] as const) {
    const listed = await api.get('/api/files', { headers: on(instance) });
    expect(((await listed.json()) as { files: Array<{ name: string }> }).files.map((file) => file.name)).toEqual([
      'balanced.mp3',
    ]);
  }
  const afterCached = await acrossInstances();
  expect(afterCached.listingsComputed).toBe(afterFirst.listingsComputed);
  expect(afterCached.hits).toBeGreaterThanOrEqual(afterFirst.hits + 3);

  // Deleting through b is seen by a at once.
  const fileId = ((await listedByB.json()) as { files: Array<{ id: string }> }).files[0]!.id;
  expect((await api.delete(`/api/files/${fileId}`, { headers: on('b') })).status()).toBe(204);
  const listedByA = await api.get('/api/files', { headers: on('a') });
  expect(((await listedByA.json()) as { files: unknown[] }).files).toHaveLength(0);
});

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

test('sessions: two devices listed, the other ended from one and signed out on the other instance at its next request; a new device is emailed, a known one is not', async ({
  browser,
  page,
}) => {
  test.setTimeout(120_000);
  const email = uniqueAddress('sessions');
  const password = 'correct horse battery';
  // This device: Chromium, every request through instance a.
  await page.setExtraHTTPHeaders({ 'x-pin-instance': 'a' });
  await signUp(page, 'Ada', email, password);
  await verifyFromLink(
    page,
    linkFrom(await waitForEmail(email, 'Verify your email address'), '/auth/verify-email?token='),
  );
  await logInAndSettle(page, email, password);

  // A second device (Firefox on Windows, as its User-Agent says), every request through instance b.
  const opened: Array<{ close(): Promise<void> }> = [];
  const device = async (userAgent: string | undefined, instance: 'a' | 'b') => {
    const context = await browser.newContext({
      baseURL: balancer,
      ...(userAgent ? { userAgent } : {}),
      extraHTTPHeaders: { 'x-pin-instance': instance },
    });
    const watch = watchAppRequests(context, balancer);
    opened.push({ close: async () => (await watch.check(), await context.close()) });
    const devicePage = await context.newPage();
    await logIn(devicePage, email, password);
    await expect(devicePage).toHaveURL(/\/account$/);
    return devicePage;
  };
  try {
    const other = await device(FIREFOX_WINDOWS, 'b');
    const notice = await waitForEmail(email, 'New sign-in to your account');
    expect(notice.text).toContain('Firefox 133');
    expect(notice.text).toContain('Windows 10');
    expect(notice.text).toContain('127.0.0.0/24');
    expect(notice.links).toContain(`${balancer}/account/sessions`);

    await page.goto('/account/sessions');
    const list = page.getByRole('list', { name: 'Signed-in sessions' });
    await expect(list.getByRole('listitem')).toHaveCount(2);
    const mine = list.getByRole('listitem').filter({ hasText: 'this device' });
    await expect(mine).toContainText('Linux');
    const theirs = list.getByRole('listitem').filter({ hasText: 'Firefox 133 on Windows 10' });
    await expect(theirs).toContainText('Network 127.0.0.0/24');
    await theirs.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('status')).toContainText('That session was signed out');
    await expect(list.getByRole('listitem')).toHaveCount(1);

    // The other device's very next request, on the other instance, is signed out: an API call, a navigation.
    const apiCall = await other.request.get('/api/files');
    expect(apiCall.status()).toBe(401);
    expect(apiCall.headers()['x-upstream']).toBe(`127.0.0.1:${INSTANCE_PORTS.b}`);
    // its page, still open on the account page, goes to log in on its next navigation
    await other.getByRole('link', { name: 'Where you are signed in' }).click();
    await expect(other).toHaveURL(/\/auth\/login/);

    // Another Chromium on this machine is a known device: no email. An iPhone is new: an email. The iPhone's
    // arriving second shows the known device's would have come by now.
    const known = await device(undefined, 'b');
    const iphone = await device(SAFARI_IPHONE, 'a');
    await expect
      .poll(
        async () =>
          (await emailsTo(email)).filter((e) => e.subject === 'New sign-in to your account' && e.text.includes('iOS'))
            .length,
        {
          timeout: 15_000,
        },
      )
      .toBe(1);
    expect((await emailsTo(email)).filter((e) => e.subject === 'New sign-in to your account')).toHaveLength(2);

    // Another user's session id answers 404 and ends nothing.
    const stranger = await browser.newContext({ baseURL: balancer });
    opened.push({ close: () => stranger.close() });
    const strangerPage = await stranger.newPage();
    await logIn(strangerPage, account!.email, account!.password);
    await expect(strangerPage).toHaveURL(/\/account$/);
    const strangerSessions = (await (await strangerPage.request.get('/api/sessions')).json()) as {
      sessions: Array<{ id: string; current: boolean }>;
    };
    const strangerId = strangerSessions.sessions.find((s) => s.current)!.id;
    expect((await page.request.delete(`/api/sessions/${strangerId}`)).status()).toBe(404);
    expect((await page.request.delete('/api/sessions/not-an-id')).status()).toBe(404);
    expect((await strangerPage.request.get('/api/files')).status()).toBe(200);

    // Sign out everywhere: this device lands on the login page, and every other one is signed out.
    await page.goto('/account/sessions');
    await expect(list.getByRole('listitem')).toHaveCount(3);
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await expect(page).toHaveURL(/\/auth\/login\?notice=signed-out/);
    expect((await page.request.get('/api/sessions')).status()).toBe(401);
    for (const signedOut of [known, iphone]) expect((await signedOut.request.get('/api/files')).status()).toBe(401);
    expect((await strangerPage.request.get('/api/files')).status()).toBe(200);
  } finally {
    for (const context of opened) await context.close();
  }
});

import { expect, test, type BrowserContext, type Page } from './support/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type RedisProcess } from '../tests/support/redis-server';
import { loopbackListen, loopbackNginxConfig } from '../tests/support/nginx';
import { balancerConfig, rollOut, type DeployPlatform, type Replica } from '../lib/deploy';
import { verifiedUser } from './support/accounts';
import { emailsTo, uniqueAddress, waitForEmail } from './support/mailbox';
import { answers, startStandalone, type Started } from './support/standalone';

// A rolling update under load, as scripts/deploy performs it (lib/deploy/rollout.ts), with local processes
// in place of containers: two replicas of the current build behind Debian's nginx running the shipped
// docker/nginx/nginx.conf and the live.conf the rollout writes, ten clients busy all along, then the next
// build (scripts/build-next-variant.sh: another brand string, every server action under a new id) rolled
// out one replica at a time, the old build kept reachable through its skew window, then drained.

const BALANCER_PORT = 3320;
const balancer = `http://127.0.0.1:${BALANCER_PORT}`;
const NEXT_BUILD_DIR = '.data/next-build/standalone-app';

function deploymentIdOf(dir: string): string {
  const files = JSON.parse(readFileSync(join(dir, '.next/required-server-files.json'), 'utf8')) as {
    config: { deploymentId?: string };
  };
  return files.config.deploymentId ?? '';
}

interface LocalReplica extends Replica {
  server: Started;
  exitCode?: number | null;
}

let redis: RedisProcess;
let nginx: ChildProcess | undefined;
let nginxDir: string;
const replicas: LocalReplica[] = [];
const retired: LocalReplica[] = [];

function nginxConfig(dir: string): string {
  return loopbackNginxConfig(dir, { listen: loopbackListen(BALANCER_PORT) });
}

const nginxArgs = () => ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf')];

/** The deploy platform of this test: replicas are standalone servers on loopback ports. */
function localPlatform(builds: Record<string, string>, env: Record<string, string>): DeployPlatform<LocalReplica> {
  return {
    running: async () => [...replicas],
    async startReplica(build) {
      const port = await freePort();
      const server = await startStandalone(port, env, builds[build]);
      const replica = { build, address: `127.0.0.1:${port}`, server };
      replicas.push(replica);
      return replica;
    },
    async waitReady(replica) {
      await expect
        .poll(async () => (await fetch(`${replica.server.url}/api/health`).catch(() => null))?.status, {
          timeout: 30_000,
        })
        .toBe(200);
    },
    async retire(replica) {
      replica.exitCode = await replica.server.terminate();
      replicas.splice(replicas.indexOf(replica), 1);
      retired.push(replica);
    },
    async applyBalancerConfig(config) {
      const live = join(nginxDir, 'live.conf');
      writeFileSync(`${live}.next`, config);
      copyFileSync(live, `${live}.previous`);
      renameSync(`${live}.next`, live);
      const tested = spawnSync('nginx', ['-t', '-q', ...nginxArgs()], { encoding: 'utf8' });
      if (tested.status !== 0) {
        renameSync(`${live}.previous`, live);
        throw new Error(`nginx refused the new configuration: ${tested.stderr}`);
      }
      expect(spawnSync('nginx', [...nginxArgs(), '-s', 'reload']).status).toBe(0);
      // A reload starts new workers and lets the old ones finish what they hold: wait until a request
      // naming no build reaches the newest one.
      const newest = config.match(/default (\S+);/)![1]!;
      const servers = config
        .split(`upstream ${newest} {`)[1]!
        .split('}')[0]!
        .match(/127\.0\.0\.1:\d+/g)!;
      await expect
        .poll(async () => (await fetch(`${balancer}/api/version`)).headers.get('x-upstream'), { timeout: 10_000 })
        .toMatch(new RegExp(`^(${servers.join('|')})$`));
    },
  };
}

async function upstreamOf(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return { status: response.status, upstream: response.headers.get('x-upstream') ?? '' };
}

const addressesOf = (build: string) => [...replicas, ...retired].filter((r) => r.build === build).map((r) => r.address);

/** Ten clients busy until told to stop: pages, API calls, form posts in browsers, uploads through storage. */
function startTraffic(context: { cookie: string; browserContexts: BrowserContext[] }) {
  let running = true;
  const served: Record<string, number> = {};
  const failed: string[] = [];
  const listedLate: number[] = [];
  const count = async (kind: string, attempt: () => Promise<void>) => {
    try {
      await attempt();
      served[kind] = (served[kind] ?? 0) + 1;
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      failed.push(
        `${kind}: ${(error as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`,
      );
    }
  };
  // As a browser does: a GET whose kept-alive connection the balancer closed as it reloaded (an idle
  // connection of a worker being replaced) is sent once more on a new connection. Counted.
  let resent = 0;
  const get = async (url: string, init: RequestInit = {}) => {
    try {
      return await fetch(url, init);
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw error;
      resent += 1;
      return fetch(url, init);
    }
  };
  // Busy, not a flood: ten clients each with a request in flight most of the time. Unpaced, they saturate
  // the two cores four servers, Redis, Postgres and three browsers share here, until Redis answers slower
  // than the limiter's 500 ms command timeout and the fail-closed groups (uploads) rightly answer 503.
  const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
  const ok = (response: Response, what: string) => {
    if (response.status >= 400) throw new Error(`${what} answered ${response.status}`);
    return response;
  };
  const pageViews = async () => {
    const paths = ['/', '/auth/login', '/auth/forgot-password', '/files'];
    for (let i = 0; running; i++) {
      await count('page', async () => {
        const path = paths[i % paths.length]!;
        const html = await ok(await get(`${balancer}${path}`, { headers: { cookie: context.cookie } }), path).text();
        // The page's own scripts, as its browser would load them next: they name the build that rendered it.
        const script = html.match(/src="(\/_next\/static\/[^"]+\.js\?dpl=[^"]+)"/)?.[1];
        if (!script) throw new Error(`${path} names no script of its build`);
        await ok(await get(`${balancer}${script.replaceAll('&amp;', '&')}`), script).arrayBuffer();
      });
      await pause();
    }
  };
  const apiCalls = async () => {
    for (let i = 0; running; i++) {
      await count('api', async () => {
        const path = i % 2 ? '/api/files' : '/api/version';
        await ok(await get(`${balancer}${path}`, { headers: { cookie: context.cookie } }), path).arrayBuffer();
      });
      await pause();
    }
  };
  const uploads = async () => {
    for (let i = 0; running; i++) {
      await count('upload', async () => {
        const bytes = Buffer.from(`ID3 rollout upload ${i}`);
        const headers = { cookie: context.cookie, 'content-type': 'application/json' };
        const requested = ok(
          await fetch(`${balancer}/api/uploads`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              bucket: 'audio',
              filename: `r${i}.mp3`,
              contentType: 'audio/mpeg',
              size: bytes.length,
            }),
          }),
          'upload request',
        );
        const upload = (await requested.json()) as { uploadId: string; url: string; fields: Record<string, string> };
        const form = new FormData();
        for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
        form.append('file', new Blob([new Uint8Array(bytes)], { type: 'audio/mpeg' }), `r${i}.mp3`);
        ok(await fetch(upload.url, { method: 'POST', body: form }), 'storage');
        // In flight across the switch: requested of one replica, completed by whichever answers now.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const completed = await fetch(`${balancer}/api/uploads/${upload.uploadId}/complete`, {
          method: 'POST',
          headers,
          body: '{}',
        });
        ok(completed, 'upload completion');
        // Listed: at once, or (when the same user's listing was being computed by another request as
        // this one completed) on a later read; counted, and a file missing for 5 s fails.
        const { file } = (await completed.json()) as { file: { id: string } };
        const listedAt = Date.now();
        for (let read = 0; ; read++) {
          const listed = (await (await get(`${balancer}/api/files`, { headers })).json()) as {
            files: { id: string }[];
          };
          if (listed.files.some((listedFile) => listedFile.id === file.id)) {
            if (read > 0) listedLate.push(Date.now() - listedAt);
            break;
          }
          if (Date.now() - listedAt > 5_000) throw new Error(`completed upload ${file.id} is not listed after 5 s`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      await pause();
    }
  };
  const formPosts = async (browserContext: BrowserContext) => {
    const page = await browserContext.newPage();
    page.on('console', (message) => {
      if (/Failed to find Server Action|was not found on the server/i.test(message.text())) {
        failed.push(`form: ${message.text()}`);
      }
    });
    while (running) {
      await count('form', async () => {
        await page.goto(`${balancer}/auth/forgot-password`);
        await page.getByLabel('Email').fill(uniqueAddress('rollout-nobody'));
        await page.getByRole('button', { name: 'Send reset link' }).click();
        await expect(page.getByRole('main').getByRole('status')).toContainText('If an account exists', {
          timeout: 15_000,
        });
      });
    }
    await page.close();
  };
  const clients = [
    pageViews(),
    pageViews(),
    pageViews(),
    apiCalls(),
    apiCalls(),
    apiCalls(),
    uploads(),
    uploads(),
    ...context.browserContexts.map(formPosts),
  ];
  return {
    served,
    failed,
    listedLate,
    resent: () => resent,
    stop: async () => {
      running = false;
      await Promise.all(clients);
    },
  };
}

test.describe.configure({ mode: 'serial' });
// Ten clients and four servers share two cores here: a page may take seconds, but none is left pending.
test.use({
  baseURL: balancer,
  appRequestLimits: { slowMs: 10_000, hashingSlowMs: 15_000, prefetchSlowMs: 15_000, pendingMs: 2_000 },
});

test.beforeAll(async () => {
  redis = await startRedisServer(await freePort());
});

test.afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx!.once('exit', resolve));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await Promise.all(replicas.map((replica) => replica.server.stop()));
  await redis?.stop();
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    for (const replica of [...replicas, ...retired]) {
      console.log(`--- ${replica.build} at ${replica.address}\n${replica.server.output().slice(-4000)}`);
    }
  }
});

async function openOnOldBuild(page: Page, path: string, build: string) {
  const document = await page.goto(path);
  expect(addressesOf(build)).toContain(document?.headers()['x-upstream']);
  await expect(page.getByRole('link', { name: 'zigznote', exact: true })).toBeVisible();
}

test('a rolling update under load: no request fails, old pages keep working through the window, then reload into the new build', async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000);
  const currentBuild = deploymentIdOf('.next/standalone');
  expect(currentBuild, 'npm run build with DEPLOYMENT_ID set (npm test sets it)').not.toBe('');
  expect(existsSync(NEXT_BUILD_DIR), 'bash scripts/build-next-variant.sh').toBe(true);
  const nextBuild = deploymentIdOf(NEXT_BUILD_DIR);
  expect(nextBuild).toBe(`${currentBuild}-next`);

  const env = {
    NEXT_PUBLIC_APP_URL: balancer,
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    TRUSTED_PROXIES: '1',
    HEALTH_TOKEN: 'rollout-e2e-health-token',
    // Ten busy clients from one address: the per-address limits would be the test's own flood.
    RATE_LIMITS:
      'api=100000/1m,uploads=100000/1m,session=100000/1m,password-reset=100000/1h,password-reset-email=100000/1h,register=100/1h,login=100/15m,login-ip=1000/15m',
    RATE_LIMIT_BRIDGE_SECRET: '',
    SHUTDOWN_GRACE_SECONDS: '10',
  };
  const platform = localPlatform({ [currentBuild]: '.next/standalone', [nextBuild]: NEXT_BUILD_DIR }, env);

  // The current build runs, as after the previous deploy.
  for (let i = 0; i < 2; i++) await platform.waitReady(await platform.startReplica(currentBuild));
  nginxDir = mkdtempSync(join(tmpdir(), 'zz-rollout-nginx-'));
  spawnSync('chmod', ['777', nginxDir]);
  writeFileSync(join(nginxDir, 'nginx.conf'), nginxConfig(nginxDir));
  writeFileSync(
    join(nginxDir, 'live.conf'),
    balancerConfig([{ id: currentBuild, servers: replicas.map((replica) => replica.address) }]),
  );
  const tested = spawnSync('nginx', ['-t', ...nginxArgs()], { encoding: 'utf8' });
  expect(tested.status, tested.stderr).toBe(0);
  nginx = spawn('nginx', [...nginxArgs(), '-g', 'daemon off;'], { stdio: 'ignore' });
  await expect.poll(() => answers(balancer), { timeout: 15_000 }).toBe(true);

  // A signed-in user for the API and upload clients; pages opened on the current build before the deploy.
  await page.goto(balancer);
  const user = await verifiedUser(page);
  const cookie = (await page.context().cookies(balancer)).map((c) => `${c.name}=${c.value}`).join('; ');
  const stale = await browser.newContext({ baseURL: balancer });
  const formDuringWindow = await stale.newPage();
  await openOnOldBuild(formDuringWindow, '/auth/forgot-password', currentBuild);
  const oldScripts = await formDuringWindow
    .locator('script[src*="dpl="]')
    .evaluateAll((scripts) => scripts.map((script) => script.getAttribute('src')!));
  const navigationAfterWindow = await stale.newPage();
  await openOnOldBuild(navigationAfterWindow, '/auth/login', currentBuild);
  const formAfterWindow = await stale.newPage();
  await openOnOldBuild(formAfterWindow, '/auth/forgot-password', currentBuild);

  const formClients = [await browser.newContext(), await browser.newContext()];
  const traffic = startTraffic({ cookie, browserContexts: formClients });
  await new Promise((resolve) => setTimeout(resolve, 3_000));

  let killedReplica: LocalReplica | undefined;
  let resetRequestedAt = 0;
  await rollOut(platform, {
    build: nextBuild,
    replicas: 2,
    log: (message) => console.log(`[rollout] ${message}`),
    skewWindow: async () => {
      // New visitors get the new build.
      await page.goto(`${balancer}/auth/login`);
      await expect(page.getByRole('link', { name: 'zigznote next' })).toBeVisible();

      // A form the current build rendered before the switch, submitted now: its action reaches its build.
      const submitted = formDuringWindow.waitForResponse((r) => r.request().method() === 'POST');
      await formDuringWindow.getByLabel('Email').fill(uniqueAddress('rollout-window'));
      await formDuringWindow.getByRole('button', { name: 'Send reset link' }).click();
      await expect(formDuringWindow.getByRole('main').getByRole('status')).toContainText('If an account exists');
      expect(addressesOf(currentBuild)).toContain((await submitted).headers()['x-upstream']);

      // Its scripts still load, from its build, among them one the new build has no such file for.
      const newReplica = replicas.find((replica) => replica.build === nextBuild)!;
      let onlyInOldBuild = 0;
      for (const script of oldScripts) {
        const asset = await upstreamOf(`${balancer}${script}`);
        expect(asset.status, script).toBe(200);
        expect(addressesOf(currentBuild)).toContain(asset.upstream);
        if ((await fetch(`${newReplica.server.url}${script}`)).status === 404) onlyInOldBuild += 1;
      }
      expect(onlyInOldBuild, 'scripts of the old page that the new build does not have').toBeGreaterThan(0);

      // A name no build has, or one made to look like an address, reaches the newest build and nothing else.
      for (const headers of [
        { 'x-deployment-id': 'no-such-build' },
        { 'x-deployment-id': '127.0.0.1:5432' },
        { 'x-deployment-id': 'build_' + currentBuild },
      ]) {
        const forged = await upstreamOf(`${balancer}/api/version`, headers);
        expect(forged.status).toBe(200);
        expect(addressesOf(nextBuild)).toContain(forged.upstream);
      }
      const forgedAsset = await upstreamOf(`${balancer}/api/version?dpl=..%2F..%2Fetc`);
      expect(addressesOf(nextBuild)).toContain(forgedAsset.upstream);
      const internal = await fetch(`${balancer}/api/internal/rate-limit`, {
        method: 'POST',
        headers: { 'x-deployment-id': 'no-such-build', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(internal.status).toBeGreaterThanOrEqual(400);
      expect(internal.status).toBeLessThan(500);

      // A replica of the old build dies without draining (SIGKILL) right after it answered a reset request
      // and completed an upload: the email still goes out once, the file stays listed.
      killedReplica = replicas.find((replica) => replica.build === currentBuild)!;
      const direct = await browser.newContext({ baseURL: killedReplica.server.url });
      const directPage = await direct.newPage();
      await directPage.goto('/auth/forgot-password');
      await directPage.getByLabel('Email').fill(user.email);
      await directPage.getByRole('button', { name: 'Send reset link' }).click();
      await expect(directPage.getByRole('main').getByRole('status')).toContainText('If an account exists');
      resetRequestedAt = Date.now();
      await direct.close();
      await killedReplica.server.kill();

      // Traffic keeps flowing through the window.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    },
  });
  await traffic.stop();

  const served = Object.values(traffic.served).reduce((sum, n) => sum + n, 0);
  console.log(
    `[rollout] requests served: ${served} (${JSON.stringify(traffic.served)}), failed: ${traffic.failed.length}, GETs resent after a reload closed their connection: ${traffic.resent()}`,
  );
  if (traffic.listedLate.length > 0) {
    console.log(
      `[rollout] completed uploads listed only on a later read: ${traffic.listedLate.length} (after ${traffic.listedLate.join(', ')} ms)`,
    );
  }
  expect(traffic.failed).toEqual([]);
  for (const kind of ['page', 'api', 'upload', 'form']) expect(traffic.served[kind], kind).toBeGreaterThan(0);
  const notFound = [...replicas, ...retired].filter((r) => /Failed to find Server Action/.test(r.server.output()));
  expect(notFound.map((r) => r.address)).toEqual([]);
  // The old replicas that were not killed drained and exited 0.
  for (const replica of retired.filter((r) => r !== killedReplica)) expect(replica.exitCode, replica.address).toBe(0);
  expect(replicas.map((replica) => replica.build)).toEqual([nextBuild, nextBuild]);

  // The reset email the killed replica promised arrives, once.
  await waitForEmail(user.email, 'Reset your password');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect((await emailsTo(user.email)).filter((e) => e.subject === 'Reset your password')).toHaveLength(1);
  console.log(`[rollout] reset email after the SIGKILL arrived within ${Date.now() - resetRequestedAt} ms`);

  // After the window: an old page's next navigation, and an old form's next submit, reload into the new build.
  await navigationAfterWindow.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign up' }).click();
  await expect(navigationAfterWindow.getByRole('link', { name: 'zigznote next' })).toBeVisible();
  await expect(navigationAfterWindow).toHaveURL(/\/auth\/signup/);
  await formAfterWindow.getByLabel('Email').fill(uniqueAddress('rollout-after'));
  await formAfterWindow.getByRole('button', { name: 'Send reset link' }).click();
  await expect(formAfterWindow.getByRole('link', { name: 'zigznote next' })).toBeVisible();
  await expect(formAfterWindow.getByLabel('Email')).toHaveValue('');
  await Promise.all([stale.close(), ...formClients.map((c) => c.close())]);
});

// What one page view costs in requests to the app, counted in Chromium against `next start`: the
// document, RSC payloads, prefetches, /api/session and static files, for the home, login, account and
// files pages, signed out and signed in. A prefetch whose answer the router drops (a dynamic page: no
// prerender marker) is waste. Counts, not timings: they do not depend on how busy the machine is.
import { chromium, type Request } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { createSession } from '../lib/auth/session';
import { hashPassword } from '../lib/auth/password';
import { createUser } from '../lib/auth/users';
import { loadConfig } from '../lib/config';
import { closeDatabase, getDatabase } from '../lib/db';
import { closeRedis, getKeyValue } from '../lib/redis';
import { printTable, startNextServer } from './support';

interface Counts {
  document: number;
  rsc: number;
  prefetch: number;
  session: number;
  static: number;
  waste: number;
}

function kindOf(request: Request): keyof Omit<Counts, 'waste'> {
  const url = new URL(request.url());
  const headers = request.headers();
  if (request.resourceType() === 'document') return 'document';
  if (url.pathname === '/api/session') return 'session';
  if (headers['next-router-prefetch'] || headers['next-router-segment-prefetch']) return 'prefetch';
  if (headers['rsc'] || url.searchParams.has('_rsc')) return 'rsc';
  return 'static';
}

async function main() {
  const config = loadConfig(process.env);
  const server = await startNextServer('.', 3330, { RATE_LIMITS_DISABLED: 'true' });
  const db = await getDatabase(config.database);
  const user = await createUser(db, {
    email: `bench.${Date.now()}@zigznote.test`,
    name: 'Bench',
    passwordHash: await hashPassword(randomBytes(12).toString('hex')),
  });
  if (!user) throw new Error('could not create the bench user');
  const session = await createSession(getKeyValue(config.redis), user.id);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const rows: string[][] = [];
  try {
    for (const signedIn of [false, true]) {
      const context = await browser.newContext();
      if (signedIn) {
        await context.addCookies([
          {
            name: '__Host-zigznote_session',
            value: session!.token,
            domain: '127.0.0.1',
            path: '/',
            httpOnly: true,
            secure: true,
            sameSite: 'Lax',
          },
        ]);
      }
      const page = await context.newPage();
      for (const path of ['/', '/auth/login', '/account', '/files']) {
        // a fresh view: the router's caches start empty, as after a reload
        await page.goto('about:blank');
        const counts: Counts = { document: 0, rsc: 0, prefetch: 0, session: 0, static: 0, waste: 0 };
        const onResponse = (response: Awaited<ReturnType<Request['response']>>) => {
          if (!response || !response.url().startsWith(server.url)) return;
          const kind = kindOf(response.request());
          counts[kind]++;
          if (kind === 'prefetch' && !response.headers()['x-nextjs-prerender']) counts.waste++;
        };
        page.on('response', onResponse);
        await page.goto(`${server.url}${path}`);
        await page.waitForLoadState('networkidle');
        page.off('response', onResponse);
        const total = counts.document + counts.rsc + counts.prefetch + counts.session + counts.static;
        rows.push([
          `${path} ${signedIn ? 'signed in' : 'signed out'}${new URL(page.url()).pathname !== path ? ` (→ ${new URL(page.url()).pathname})` : ''}`,
          String(total),
          String(counts.document),
          String(counts.rsc),
          String(counts.prefetch),
          String(counts.waste),
          String(counts.session),
          String(counts.static),
        ]);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    await closeRedis();
    await closeDatabase();
  }
  printTable('Requests per page view (Chromium, next start; waste = prefetches the router drops)', rows, [
    'page view',
    'total',
    'document',
    'RSC',
    'prefetch',
    'waste',
    '/api/session',
    'static',
  ]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

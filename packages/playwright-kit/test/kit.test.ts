// @zigznote/playwright-kit against the real things: the local SES endpoint (AWS_SES_ENDPOINT), Redis
// (REDIS_URL) with @zigznote/ratelimit's keys, and Chromium on a small server of this test's own.
import { createServer, type Server } from 'node:http';
import { chromium, type Browser } from '@playwright/test';
import { Ratelimit } from '@zigznote/ratelimit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'minio';
import {
  createMailbox,
  emptyBucket,
  linksIn,
  resetRateLimits,
  signInContext,
  systemChromium,
  watchAppRequests,
} from '../src/index.js';

const sesEndpoint = process.env.AWS_SES_ENDPOINT;
const redisUrl = process.env.REDIS_URL;
if (!sesEndpoint || !redisUrl)
  throw new Error('the kit tests need the SES endpoint and Redis: set AWS_SES_ENDPOINT and REDIS_URL (npm test does)');

const unique = (label: string) => `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@kit.test`;

/** Sends through the endpoint's SES v2 API, as an app's transport does (the endpoint checks no signature). */
async function send(to: string, subject: string, text: string) {
  const response = await fetch(new URL('/v2/email/outbound-emails', sesEndpoint), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20261204/us-east-1/ses/aws4_request',
    },
    body: JSON.stringify({
      FromEmailAddress: 'app@kit.test',
      Destination: { ToAddresses: [to] },
      Content: {
        Simple: { Subject: { Data: subject }, Body: { Text: { Data: text }, Html: { Data: `<p>${text}</p>` } } },
      },
    }),
  });
  expect(response.ok).toBe(true);
}

describe('mailbox', () => {
  const mailbox = createMailbox({ endpoint: sesEndpoint, pollMs: 20 });

  it('waits for the email sent after the call, and reads its subject, text and links', async () => {
    const to = unique('reader');
    const waiting = mailbox.waitForEmail(to, { subject: 'Verify', timeoutMs: 5_000 });
    setTimeout(
      () => void send(to, 'Verify', 'Open http://127.0.0.1:3000/auth/verify?token=abc&amp;next=%2F to verify.'),
      200,
    );
    const email = await waiting;
    expect(email).toMatchObject({ subject: 'Verify', to: [to], from: 'app@kit.test' });
    expect(email.html).toContain('<p>');
    expect(mailbox.linkIn(email, '/auth/verify?token=')).toBe('http://127.0.0.1:3000/auth/verify?token=abc&next=%2F');
    expect(() => mailbox.linkIn(email, '/reset')).toThrow('no link containing /reset in "Verify"');
  });

  it('the count-th email of a subject, oldest first; only the address asked for', async () => {
    const to = unique('counter');
    await send(to, 'One', 'first');
    await send(to, 'One', 'second');
    await send(unique('someone-else'), 'One', 'not yours');
    expect((await mailbox.waitForEmail(to, { subject: 'One', count: 2 })).text).toBe('second');
    expect(await mailbox.emailsTo(to)).toHaveLength(2);
  });

  it('looks back lookbackSeconds before the wait, not at the whole store', async () => {
    const to = unique('earlier');
    await send(to, 'Earlier', 'sent before the wait');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(mailbox.waitForEmail(to, { subject: 'Earlier', timeoutMs: 300, lookbackSeconds: 1 })).rejects.toThrow(
      /found 0/,
    );
    expect((await mailbox.waitForEmail(to, { subject: 'Earlier', lookbackSeconds: 60 })).text).toBe(
      'sent before the wait',
    );
  });

  it('says what it waited for when nothing comes, and refuses an endpoint that is not a URL', async () => {
    await expect(mailbox.waitForEmail(unique('nobody'), { subject: 'Never', timeoutMs: 200 })).rejects.toThrow(
      /waited 200 ms for 1 email\(s\) "Never" to nobody\..*; found 0/,
    );
    expect(() => createMailbox({ endpoint: 'not a url' })).toThrow(
      'createMailbox: `endpoint` must be the SES endpoint',
    );
  });
});

describe('systemChromium', () => {
  it("points at CHROMIUM_PATH or Debian's binary, with the quiet-offline switches and any extra ones", () => {
    const saved = process.env.CHROMIUM_PATH;
    try {
      delete process.env.CHROMIUM_PATH;
      expect(systemChromium().executablePath).toBe('/usr/bin/chromium');
      process.env.CHROMIUM_PATH = '/opt/chromium';
      expect(systemChromium().executablePath).toBe('/opt/chromium');
      expect(systemChromium({ executablePath: '/x' }).executablePath).toBe('/x');
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
    const { args } = systemChromium({ extraArgs: ['--lang=fr'] });
    expect(args).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-background-networking', '--disable-quic']));
    expect(args.at(-1)).toBe('--lang=fr');
  });
});

describe('linksIn', () => {
  it('leaves out the punctuation that ends the sentence around a link, and undoes &amp;', () => {
    expect(linksIn('Open it http://app.test/. Or http://app.test/a?b=1&amp;c=2, then (http://app.test/x).')).toEqual([
      'http://app.test/',
      'http://app.test/a?b=1&c=2',
      'http://app.test/x',
    ]);
  });
});

describe('emptyBucket, on the real MinIO', () => {
  const minio = new Client({
    endPoint: '127.0.0.1',
    port: Number(process.env.MINIO_PORT),
    useSSL: false,
    region: 'us-east-1',
    accessKey: process.env.MINIO_ACCESS_KEY ?? '',
    secretKey: process.env.MINIO_SECRET_KEY ?? '',
  });
  const bucket = `kit-${process.pid}-${Date.now().toString(36)}`;
  afterAll(async () => {
    await minio.removeBucket(bucket).catch(() => {});
  });

  it('removes every object under the prefix and aborts unfinished multipart uploads, and only there', async () => {
    await minio.makeBucket(bucket, 'us-east-1');
    for (const key of ['a/1.txt', 'a/deep/2.txt', 'b/3.txt']) await minio.putObject(bucket, key, Buffer.from(key));
    await minio.initiateNewMultipartUpload(bucket, 'a/big.bin', {});
    expect(await emptyBucket(minio, bucket, { prefix: 'a/' })).toBe(2);
    const left: string[] = [];
    for await (const item of minio.listObjectsV2(bucket, '', true)) left.push(item.name!);
    expect(left).toEqual(['b/3.txt']);
    const unfinished: string[] = [];
    for await (const upload of minio.listIncompleteUploads(bucket, '', true)) unfinished.push(upload.key);
    expect(unfinished).toEqual([]);
    expect(await emptyBucket(minio, bucket)).toBe(1);
  });
});

describe('resetRateLimits', () => {
  const redis = new Redis(redisUrl);
  afterAll(() => redis.disconnect());

  it('gives back the limits of the identifiers named, and only theirs (sliding log and fixed window keys)', async () => {
    const prefix = `kit-test:${Date.now()}`;
    const sliding = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(1, '1 m'), prefix, ephemeralCache: false });
    const fixed = new Ratelimit({
      redis,
      limiter: Ratelimit.fixedWindow(1, '1 m'),
      prefix: `${prefix}-fixed`,
      ephemeralCache: false,
    });
    for (const limiter of [sliding, fixed]) for (const id of ['a', 'a', 'b', 'b']) await limiter.limit(id);
    expect((await sliding.limit('a')).success).toBe(false);
    expect(await resetRateLimits(redis, prefix, ['a'])).toBe(1);
    expect(await resetRateLimits(redis, `${prefix}-fixed`, ['a'])).toBe(1);
    expect((await sliding.limit('a')).success).toBe(true);
    expect((await fixed.limit('a')).success).toBe(true);
    expect((await sliding.limit('b')).success).toBe(false);
    await expect(resetRateLimits(redis, '', ['a'])).rejects.toThrow(/name the limiter's prefix/);
  });
});

describe('request watch', () => {
  let server: Server;
  let browser: Browser;
  let origin: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/hang') return; // never answers
      if (request.url === '/slow') return void setTimeout(() => response.end('late'), 600);
      const pages: Record<string, string> = {
        '/fast': '<p>fast</p><script nonce="n1">fetch("/api")</script>',
        '/hanging': '<p>hanging</p><script nonce="n1">fetch("/hang")</script>',
        '/slowly': '<p>slow</p><script nonce="n1">fetch("/slow")</script>',
        '/injected': '<p>csp</p><script>window.injected = 1</script>',
      };
      response.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "script-src 'nonce-n1'" });
      response.end(pages[request.url ?? ''] ?? 'ok');
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // the kit's own launch options start the system Chromium every browser test here runs in
    browser = await chromium.launch(systemChromium());
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
  });

  const journey = async (path: string, limits = {}) => {
    const context = await browser.newContext();
    const watch = watchAppRequests(context, origin, { pendingMs: 300, ...limits });
    const page = await context.newPage();
    await page.goto(`${origin}${path}`);
    await page.waitForTimeout(100);
    const result = await watch.check().then(
      () => 'settled',
      (error: Error) => error.message,
    );
    await context.close();
    return result;
  };

  it('signInContext puts the session cookie on the context as an app sets it, before the first navigation', async () => {
    const context = await browser.newContext();
    await signInContext(context, origin, { name: 'sid', value: 'token-1' });
    const page = await context.newPage();
    const sent = page.waitForRequest(`${origin}/fast`).then((request) => request.allHeaders());
    await page.goto(`${origin}/fast`);
    expect((await sent)['cookie']).toBe('sid=token-1');
    expect(await context.cookies()).toMatchObject([
      { name: 'sid', value: 'token-1', httpOnly: true, sameSite: 'Lax', secure: false, path: '/' },
    ]);
    await context.close();
    await expect(signInContext(context, 'not a url', { name: 'sid', value: 'x' })).rejects.toThrow(/base URL/);
  });

  it('signInContext sets a __Host- session cookie (Secure, host-only) that the browser sends to 127.0.0.1', async () => {
    const context = await browser.newContext();
    await signInContext(context, origin, { name: '__Host-app_session', value: 'token-2' });
    const page = await context.newPage();
    const sent = page.waitForRequest(`${origin}/fast`).then((request) => request.allHeaders());
    await page.goto(`${origin}/fast`);
    expect((await sent)['cookie']).toBe('__Host-app_session=token-2');
    expect(await context.cookies()).toMatchObject([
      { name: '__Host-app_session', secure: true, path: '/', domain: '127.0.0.1' },
    ]);
    await context.close();
  });

  it('passes a journey whose requests all finish in time', async () => {
    expect(await journey('/fast')).toBe('settled');
  });

  it('fails a journey that leaves a request pending, naming it', async () => {
    expect(await journey('/hanging')).toMatch(/GET \/hang \(fetch\) still pending after \d+ ms/);
  });

  it('fails a request slower than its limit, unless a slower limit names it', async () => {
    const slow = journey('/slowly', { slowMs: 300, pendingMs: 2_000 });
    expect(await slow).toMatch(/GET \/slow \(fetch\) took \d+ ms \(limit 300 ms\)/);
    expect(
      await journey('/slowly', {
        slowMs: 300,
        pendingMs: 2_000,
        slowerRequests: [{ method: 'GET', path: '/slow', slowMs: 2_000 }],
      }),
    ).toBe('settled');
  });

  it('fails a journey on a Content-Security-Policy violation', async () => {
    expect(await journey('/injected')).toMatch(/CSP violation on .*\/injected/);
  });
});

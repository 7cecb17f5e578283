// The example app's own journeys: what a user of the packages sees, through `next start` and Chromium,
// each under @zigznote/playwright-kit's request watch (no request left pending, none too slow).
import { createMailbox, emptyBucket, watchAppRequests } from '@zigznote/playwright-kit';
import { expect, test, type Page } from '@playwright/test';
import { Redis } from 'ioredis';
import { Client } from 'minio';

function watchPending(page: Page) {
  const watch = watchAppRequests(page.context(), new URL(test.info().project.use.baseURL!).origin);
  return () => watch.check();
}

const minio = new Client({
  endPoint: '127.0.0.1',
  port: Number(process.env.MINIO_PORT),
  useSSL: false,
  region: 'us-east-1',
  accessKey: process.env.MINIO_ACCESS_KEY!,
  secretKey: process.env.MINIO_SECRET_KEY!,
});

test.beforeEach(async () => {
  await emptyBucket(minio, 'example-uploads');
});

test('a cached value is served until its tag is invalidated, and lives in Redis', async ({ page }) => {
  const settled = watchPending(page);
  await page.goto('/');
  const output = page.locator('output');
  const first = await output.textContent();
  expect(first).toMatch(/^\d{4}-\d\d-\d\dT/);
  await page.reload();
  await expect(output).toHaveText(first!);
  await page.getByRole('button', { name: 'Invalidate' }).click();
  // The action's re-render streams the new value in; for a moment the old one can still be on the page.
  const renewed = async () => {
    const texts = await page.locator('output').allTextContents();
    return texts.length === 1 && texts[0] !== first ? 'one new value' : `on the page: ${JSON.stringify(texts)}`;
  };
  await expect.poll(renewed, { timeout: 10_000 }).toBe('one new value');
  const second = await output.textContent();
  await page.reload();
  await expect(output).toHaveText(second!);
  await settled();

  const redis = new Redis(process.env.REDIS_URL!);
  try {
    expect((await redis.keys('example:cache:*')).length).toBeGreaterThan(0);
    expect(await redis.hexists('example:cache:{tags}:states', 'clock')).toBe(1);
  } finally {
    redis.disconnect();
  }
});

test('a welcome email is queued by a server action and arrives through the SES endpoint once', async ({ page }) => {
  const settled = watchPending(page);
  const address = `ada.${Date.now()}@example.test`;
  await page.goto('/');
  await page.getByLabel('Email').fill(address);
  await page.getByRole('button', { name: 'Send welcome email' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Queued' })).toHaveText('Queued (queued).');
  const mailbox = createMailbox({ endpoint: process.env.AWS_SES_ENDPOINT! });
  const email = await mailbox.waitForEmail(address, { subject: 'Welcome to the example' });
  expect(email.html).toContain(`Welcome, ${address.split('@')[0]}`);
  // the text part, derived from the HTML (headings upper-cased, links spelled out)
  expect(email.text).toContain(`WELCOME, ${address.split('@')[0]!.toUpperCase()}`);
  expect(email.text).toContain('Your example account is ready: open it http://127.0.0.1:3400/');
  expect(email.links).toContain('http://127.0.0.1:3400/');
  // the same email asked for again is the same email (React resets the form after its action)
  await page.getByLabel('Email').fill(address);
  await page.getByRole('button', { name: 'Send welcome email' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Queued' })).toHaveText('Queued (duplicate).');
  await page.waitForTimeout(1_500);
  expect(await mailbox.emailsTo(address)).toHaveLength(1);
  await settled();
});

test('a file goes from the browser straight to MinIO and is stored byte for byte', async ({ page }) => {
  const settled = watchPending(page);
  const storageRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(process.env.MINIO_PUBLIC_URL!)) storageRequests.push(request.method());
  });
  const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
  await page.goto('/upload');
  await page
    .getByLabel('File')
    .setInputFiles({ name: 'notes.bin', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByRole('status')).toHaveText(/^Stored uploads\/[0-9a-f-]+\/notes\.bin \(200000 bytes\)$/, {
    timeout: 15_000,
  });
  expect(storageRequests).toContain('POST');
  const key = (await page.getByRole('status').textContent())!.replace(/^Stored (\S+) .*$/, '$1');
  const stored: Buffer[] = [];
  for await (const chunk of await minio.getObject('example-uploads', key)) stored.push(chunk as Buffer);
  expect(Buffer.concat(stored).equals(bytes)).toBe(true);
  await settled();
});

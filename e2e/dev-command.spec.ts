import { expect, test } from './support/test';
import { HEALTH_TOKEN } from '../playwright.config';
import { randomBytes } from 'node:crypto';
import { uniqueAddress } from './support/mailbox';

// `npm run dev` with nothing configured, as a newcomer starts it: PGlite, the in-process store, the local
// SES endpoint and the s3rver stand-in, all started by the command itself.

test.describe('the dev command with no configuration', () => {
  test('reports every stand-in healthy', async ({ request }) => {
    const response = await request.get('/api/health', { headers: { Authorization: `Bearer ${HEALTH_TOKEN}` } });
    expect(response.status()).toBe(200);
    const { checks } = await response.json();
    expect(checks.database).toMatchObject({ ok: true, mode: 'pglite' });
    expect(checks.redis).toMatchObject({ ok: true, mode: 'in-process (stand-in)' });
    expect(checks.storage.ok).toBe(true);
    expect(checks.email.ok).toBe(true);
  });

  test('a new user signs up, finds the verification email in the local mailbox, verifies, and uploads a file', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const email = uniqueAddress('dev');
    await page.goto('/auth/signup');
    await page.getByLabel('Name').fill('Dev User');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('dev password 1');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('main').getByRole('status')).toContainText('Check your email');

    await expect
      .poll(
        async () => {
          await page.goto('/dev/mailbox');
          return page
            .getByRole('link', { name: new RegExp(`Verify your email address\\s*to ${email.replace(/\./g, '\\.')}`) })
            .count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    // beside the message, its outbox row: sent, after one attempt
    await expect
      .poll(
        async () => {
          await page.goto('/dev/mailbox');
          return page
            .getByRole('link', { name: new RegExp(`to ${email.replace(/\./g, '\\.')}`) })
            .getByTestId('outbox-status')
            .textContent();
        },
        { timeout: 15_000 },
      )
      .toBe('sent · 1 attempt(s)');
    await page.getByRole('link', { name: new RegExp(`to ${email.replace(/\./g, '\\.')}`) }).click();
    const text = await page.getByRole('article', { name: 'Selected email' }).locator('pre').textContent();
    const link = /http:\/\/localhost:3500\/auth\/verify-email\?token=[A-Za-z0-9_-]+/.exec(text ?? '')?.[0];
    expect(link).toBeDefined();

    await page.goto(link!);
    await page.getByRole('button', { name: 'Verify email address' }).click();
    await expect(page).toHaveURL(/\/auth\/login\?notice=verified/, { timeout: 30_000 });
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('dev password 1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/account/, { timeout: 30_000 });
    await expect(page.getByText(`Signed in as Dev User (${email})`)).toBeVisible();

    await page.goto('/files');
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'first-note.mp3', mimeType: 'audio/mpeg', buffer: randomBytes(64 * 1024) });
    await expect(page.getByText('Uploaded', { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('cell', { name: 'first-note.mp3', exact: true })).toBeVisible();
  });
});

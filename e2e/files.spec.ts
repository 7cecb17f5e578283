import { expect, test as base, type Page, type Request } from './support/test';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { endSessionsElsewhere, signedInUser } from './support/accounts';

/** Chromium's upload bandwidth for this page, in bytes per second (-1: unlimited), through the DevTools protocol. */
async function throttleUploads(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const setUploadThroughput = (uploadThroughput: number) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput,
    });
  await setUploadThroughput(bytesPerSecond);
  return { setUploadThroughput };
}

// The storage server the project's app uploads to: MinIO for node and edge, Garage for the garage project.
/** A new verified user's browser, signed in, on /files. */
async function openFilesSignedIn(page: Page, baseURL: string) {
  const user = await signedInUser(page, baseURL);
  await page.goto('/files');
  return user;
}

const test = base.extend<{ storageOrigin: string }>({
  storageOrigin: [new URL(process.env.MINIO_PUBLIC_URL!).origin, { option: true }],
});

test.describe('files', () => {
  test('a session ended from another device: the next file action on an open page goes to log in, saying why', async ({
    page,
    baseURL,
  }) => {
    const { userId } = await openFilesSignedIn(page, baseURL!);
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'memo.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 memo') });
    await expect(page.getByRole('cell', { name: 'memo.mp3', exact: true })).toBeVisible();
    // The page is open and idle (the listing refresh after the upload has landed) when the session ends
    // elsewhere: what sends it to log in is the click, not a refresh still on its way.
    await page.waitForLoadState('networkidle');
    await endSessionsElsewhere(userId);
    await page.getByRole('button', { name: 'Download memo.mp3' }).click();
    await expect(page).toHaveURL(/\/auth\/login\?notice=session-ended$/);
    await expect(page.getByRole('main').getByRole('status')).toHaveText(
      'This session was signed out, here or from another device. Log in again to continue.',
    );
  });

  test('a signed-in user uploads straight to storage with progress, sees the file, and downloads it byte for byte', async ({
    page,
    baseURL,
    storageOrigin,
  }) => {
    await openFilesSignedIn(page, baseURL!);
    await expect(page.getByRole('heading', { name: 'Your files', level: 1 })).toBeVisible();
    // a new account: nothing used of its 10 GB
    await expect(page.getByTestId('usage')).toHaveText('0 B of 10 GB used (0%)');

    const appOrigin = new URL(baseURL!).origin;
    const requests: Request[] = [];
    page.on('request', (request) => requests.push(request));

    const content = randomBytes(3 * 1024 * 1024 + 123);
    const uploadToStorage = page.waitForRequest((r) => r.url().startsWith(storageOrigin) && r.method() === 'POST');
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'voice-note.mp3', mimeType: 'audio/mpeg', buffer: content });
    await uploadToStorage;

    const progress = page.getByRole('progressbar', { name: 'Upload of voice-note.mp3' });
    await expect(progress).toHaveAttribute('value', '100');
    await expect(page.getByText('Uploaded', { exact: true })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'voice-note.mp3', exact: true })).toBeVisible();
    // the usage bar counts the stored file
    await expect(page.getByTestId('usage')).toHaveText('3.0 MB of 10 GB used (0%)');
    const listing = await (await page.request.get('/api/files')).json();
    expect(listing.usage).toEqual({ usedBytes: content.length, quotaBytes: 10 * 1024 ** 3 });

    // the bytes went to storage; the app only saw small JSON requests
    const toApp = requests.filter((r) => r.url().startsWith(appOrigin));
    for (const request of toApp) expect(request.postDataBuffer()?.length ?? 0).toBeLessThan(8 * 1024);
    const toStorage = requests.filter((r) => r.url().startsWith(storageOrigin) && r.method() === 'POST');
    expect(toStorage).toHaveLength(1);

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download voice-note.mp3' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('voice-note.mp3');
    const received = await readFile((await download.path())!);
    expect(createHash('sha256').update(received).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );

    await page.reload();
    await expect(page.getByRole('cell', { name: 'voice-note.mp3', exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Delete voice-note.mp3' }).click();
    await expect(page.getByRole('status')).toHaveText('voice-note.mp3 deleted.');
    await expect(page.getByRole('cell', { name: 'voice-note.mp3', exact: true })).toHaveCount(0);
  });

  test('a type the bucket does not take is refused with a message, and nothing is stored', async ({
    page,
    baseURL,
  }) => {
    await openFilesSignedIn(page, baseURL!);
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect(page.getByRole('main').getByRole('alert')).toContainText('audio accepts');
    await expect(page.getByText('No files yet.')).toBeVisible();
  });

  test('the file API needs a session and refuses cross-origin writes', async ({ request }) => {
    expect((await request.get('/api/files')).status()).toBe(401);
    const forged = await request.post('/api/uploads', {
      headers: { Origin: 'https://evil.example' },
      data: { bucket: 'audio', filename: 'a.mp3', contentType: 'audio/mpeg', size: 10 },
    });
    expect(forged.status()).toBe(403);
    const bad = await request.post('/api/uploads', { data: { bucket: 'nope' } });
    expect(bad.status()).toBe(401);
  });

  test('/files sends visitors without a session to log in', async ({ page }) => {
    await page.goto('/files');
    await expect(page).toHaveURL(/\/auth\/login/);
  });
});

test.describe('large files', () => {
  // Tens to hundreds of MB through Chromium on 2 cores.
  test.describe.configure({ timeout: 180_000 });

  test('a file over 64 MB goes to storage in parts from the browser and completes', async ({
    page,
    baseURL,
    storageOrigin,
  }) => {
    await openFilesSignedIn(page, baseURL!);
    const partUploads: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(storageOrigin) && request.method() === 'PUT') partUploads.push(request.url());
    });
    const content = randomBytes(70 * 1024 * 1024);
    // Playwright hands over buffers up to 50 MB only: a real file on disk, as a user would pick.
    const path = test.info().outputPath('long-interview.wav');
    await writeFile(path, content);
    await page.locator('input[type="file"]').setInputFiles(path);
    await expect(page.getByText('Uploaded', { exact: true })).toBeVisible({ timeout: 150_000 });
    expect(partUploads.length).toBe(Math.ceil(content.length / (8 * 1024 * 1024)));
    expect(partUploads.every((url) => url.includes('partNumber=') && url.includes('uploadId='))).toBe(true);
    await expect(page.getByRole('cell', { name: 'long-interview.wav', exact: true })).toBeVisible();
    await expect(page.getByRole('cell', { name: '70 MB' })).toBeVisible();
  });

  test('an upload can be cancelled mid-way and retried', async ({ page, baseURL }) => {
    test.setTimeout(120_000);
    await openFilesSignedIn(page, baseURL!);
    const network = await throttleUploads(page, 256 * 1024);
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'slow.mp3', mimeType: 'audio/mpeg', buffer: randomBytes(4 * 1024 * 1024) });
    // mid-way: bytes are on their way to storage (a cancel before they start has its unit test)
    await expect(page.getByText(/[1-9]\d?% · .*\/s · /)).toBeVisible({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByText('Cancelled', { exact: true })).toBeVisible();
    await network.setUploadThroughput(-1);
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByText('Uploaded', { exact: true })).toBeVisible({ timeout: 60_000 });
    await expect(page.getByRole('cell', { name: 'slow.mp3', exact: true })).toHaveCount(1);
  });

  test('a 200 MB upload cut by a reload at about 40 % resumes: only the missing parts are sent again, and the file is whole', async ({
    page,
    baseURL,
    storageOrigin,
  }) => {
    test.setTimeout(240_000);
    await openFilesSignedIn(page, baseURL!);
    await throttleUploads(page, 16 * 1024 * 1024);
    const content = randomBytes(200 * 1024 * 1024);
    const path = test.info().outputPath('field-recording.wav');
    await writeFile(path, content);
    await page.locator('input[type="file"]').setInputFiles(path);
    const progress = page.getByRole('progressbar', { name: 'Upload of field-recording.wav' });
    await expect
      .poll(async () => Number(await progress.getAttribute('value')), { timeout: 120_000, intervals: [200] })
      .toBeGreaterThanOrEqual(42);

    await page.reload();
    const partSize = 8 * 1024 * 1024;
    const resent: number[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(storageOrigin) && request.method() === 'PUT')
        resent.push(Number(new URL(request.url()).searchParams.get('partNumber')));
    });
    // the same file chosen again after the reload
    await page.locator('input[type="file"]').setInputFiles(path);
    await expect(page.getByText('Uploaded', { exact: true })).toBeVisible({ timeout: 180_000 });
    const resentBytes = resent.reduce((sum, n) => sum + Math.min(partSize, content.length - (n - 1) * partSize), 0);
    expect(resentBytes / content.length).toBeLessThan(0.65);
    expect(new Set(resent).size).toBe(resent.length);

    const listing = (await (await page.request.get('/api/files')).json()) as {
      files: Array<{ id: string; name: string; size: number }>;
    };
    const stored = listing.files.find((f) => f.name === 'field-recording.wav')!;
    expect(stored.size).toBe(content.length);
    const { url } = (await (await page.request.get(`/api/files/${stored.id}/download`)).json()) as { url: string };
    const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(createHash('sha256').update(downloaded).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
  });

  test('a part the network drops is retried on its own, not the whole upload', async ({
    page,
    baseURL,
    storageOrigin,
  }) => {
    await openFilesSignedIn(page, baseURL!);
    const puts = new Map<number, number>();
    let dropped = false;
    await page.route(`${storageOrigin}/**`, async (route) => {
      const request = route.request();
      if (request.method() !== 'PUT') return route.continue();
      const partNumber = Number(new URL(request.url()).searchParams.get('partNumber'));
      puts.set(partNumber, (puts.get(partNumber) ?? 0) + 1);
      if (partNumber === 2 && !dropped) {
        dropped = true;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    const content = randomBytes(70 * 1024 * 1024);
    const path = test.info().outputPath('dropped-part.wav');
    await writeFile(path, content);
    await page.locator('input[type="file"]').setInputFiles(path);
    await expect(page.getByText('Uploaded', { exact: true })).toBeVisible({ timeout: 150_000 });
    expect(dropped).toBe(true);
    expect(puts.get(2)).toBe(2);
    const partCount = Math.ceil(content.length / (8 * 1024 * 1024));
    for (let n = 1; n <= partCount; n++) if (n !== 2) expect(puts.get(n), `part ${n}`).toBe(1);
  });
});

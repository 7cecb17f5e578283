import { defineConfig } from '@playwright/test';

const port = Number(process.env.EXAMPLE_PORT ?? 3400);

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: process.env.EXAMPLE_REPORT ?? 'test-results/report.json' }]],
  outputDir: 'test-results/playwright',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'example', use: { browserName: 'chromium' } }],
  // The home page, not /api: the readiness probe must not spend the limit the test measures.
  webServer: { command: `node_modules/.bin/next start -H 127.0.0.1 -p ${port}`, url: `http://127.0.0.1:${port}/`, timeout: 60_000, reuseExistingServer: false },
});

import { defineConfig } from '@playwright/test';
import { systemChromium } from '@zigznote/playwright-kit';

const port = Number(process.env.EXAMPLE_PORT ?? 3400);
const edgePort = port + 1;
// The Edge build's middleware reaches the limiter through its own server's bridge route.
const bridgeSecret = process.env.LIMIT_BRIDGE_SECRET ?? 'example-bridge-secret-0123456789abcdef';
const start = (dir: string, listen: number) => ({
  command: `node_modules/.bin/next start -H 127.0.0.1 -p ${listen}`,
  cwd: dir,
  // The home page, not /api: the readiness probe must not spend the limit the test measures.
  url: `http://127.0.0.1:${listen}/`,
  timeout: 60_000,
  reuseExistingServer: false,
  env: { LIMIT_BRIDGE_SECRET: bridgeSecret, LIMIT_BRIDGE_ORIGIN: `http://127.0.0.1:${listen}` },
});

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: process.env.EXAMPLE_REPORT ?? 'test-results/report.json' }]],
  outputDir: 'test-results/playwright',
  use: {
    launchOptions: systemChromium(),
  },
  projects: [
    { name: 'example', use: { browserName: 'chromium', baseURL: `http://127.0.0.1:${port}` } },
    // The same app built with middleware on the Edge runtime (scripts/example-app.sh): the limit only.
    {
      name: 'example-edge',
      testMatch: /limits\.spec\.ts/,
      use: { browserName: 'chromium', baseURL: `http://127.0.0.1:${edgePort}` },
    },
  ],
  webServer: [start('.', port), start(process.env.EXAMPLE_EDGE_DIR ?? '../../.data/example-edge', edgePort)],
});

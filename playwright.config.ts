import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AppRequestLimits } from './e2e/support/test';
import { systemChromium } from '@zigznote/playwright-kit';

// The end-to-end suite runs against production builds (`next build` + `next start`) wired to the real
// services that `npm test` started; their addresses come in through the environment. Every test runs
// twice: against the app whose middleware runs on the Node runtime (what we ship) and against the variant
// built by scripts/build-edge-variant.sh, whose middleware runs on the Edge runtime.
const modes = (process.env.E2E_MODES ?? 'node,edge').split(',');
const withDevCommand = (process.env.E2E_DEV ?? '1') === '1';
const devUrl = 'http://localhost:3500';
const edgeApp = '.data/edge-app';
if (modes.includes('edge') && !existsSync(`${edgeApp}/.next/BUILD_ID`)) {
  throw new Error('The Edge variant is not built: run `bash scripts/build-edge-variant.sh`, or set E2E_MODES=node');
}

const servers = {
  node: { port: 3100, cwd: '.' },
  edge: { port: 3200, cwd: edgeApp },
} as const;
// The file journeys once more with the app on Garage (the Node build, STORAGE_BACKEND=garage).
const withGarage = (process.env.E2E_GARAGE ?? (process.env.GARAGE_S3_PORT ? '1' : '0')) === '1';
if (withGarage && !process.env.GARAGE_S3_PORT)
  throw new Error('E2E_GARAGE=1 needs Garage: `scripts/services up garage` and its env');
const garage = { port: 3150, storageUrl: `http://127.0.0.1:${process.env.GARAGE_S3_PORT}` };
const bridgeSecret = randomBytes(32).toString('hex');
// Set once in the runner's environment, which its workers inherit: tests read the same token.
process.env.ZZ_E2E_HEALTH_TOKEN ??= randomBytes(24).toString('hex');
export const HEALTH_TOKEN = process.env.ZZ_E2E_HEALTH_TOKEN;
export const SNS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:zigznote-e2e-ses';

export default defineConfig<{ storageOrigin: string; appRequestLimits: AppRequestLimits }>({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.data/test-results/playwright.json' }]],
  outputDir: '.data/test-results/playwright',
  use: {
    trace: 'retain-on-failure',
    // Playwright cannot download its own browsers here: Debian's Chromium, kept quiet offline.
    launchOptions: systemChromium(),
  },
  projects: [
    ...modes.map((mode) => ({
      name: mode,
      testIgnore: [
        'deploy.spec.ts',
        'faults.spec.ts',
        'limits.spec.ts',
        'bursts.spec.ts',
        'dev-command.spec.ts',
        'balanced.spec.ts',
        'rollout.spec.ts',
      ],
      use: {
        browserName: 'chromium' as const,
        baseURL: `http://127.0.0.1:${servers[mode as keyof typeof servers].port}`,
      },
    })),
    ...(withGarage
      ? [
          {
            name: 'garage',
            testMatch: 'files.spec.ts',
            use: {
              browserName: 'chromium' as const,
              baseURL: `http://127.0.0.1:${garage.port}`,
              storageOrigin: garage.storageUrl,
            },
          },
        ]
      : []),
    // The standalone output as the Docker image runs it, and error tracking: once, not per middleware mode.
    {
      name: 'deploy',
      testMatch: ['deploy.spec.ts', 'faults.spec.ts', 'limits.spec.ts', 'bursts.spec.ts', 'restore-drill.spec.ts'],
      use: { browserName: 'chromium' as const, baseURL: `http://127.0.0.1:${servers.node.port}` },
    },
    // Two standalone instances behind nginx (the compose file's config), sharing Redis, Postgres, MinIO.
    {
      name: 'balanced',
      testMatch: ['balanced.spec.ts', 'rollout.spec.ts'],
      use: { browserName: 'chromium' as const, baseURL: 'http://127.0.0.1:3300' },
    },
    // `npm run dev` with no configuration: the development stand-ins, as a newcomer meets them.
    // `next dev` compiles each route on its first request (seconds on 2 cores): only a request left pending
    // for good fails there.
    ...(withDevCommand
      ? [
          {
            name: 'dev',
            testMatch: 'dev-command.spec.ts',
            use: {
              browserName: 'chromium' as const,
              baseURL: devUrl,
              appRequestLimits: { slowMs: 60_000, hashingSlowMs: 60_000, prefetchSlowMs: 60_000, pendingMs: 30_000 },
            },
          },
        ]
      : []),
  ],
  webServer: [
    ...[
      ...modes.map((mode) => ({ ...servers[mode as keyof typeof servers], storage: {} })),
      ...(withGarage ? [{ port: garage.port, cwd: '.', storage: garageStorage() }] : []),
    ].map(({ port, cwd, storage }) => {
      const appUrl = `http://127.0.0.1:${port}`;
      return {
        command: `node_modules/.bin/next start -H 127.0.0.1 -p ${port}`,
        cwd,
        url: `${appUrl}/`,
        reuseExistingServer: false,
        timeout: 60_000,
        stdout: 'pipe' as const,
        stderr: 'pipe' as const,
        env: {
          ...(process.env as Record<string, string>),
          NODE_ENV: 'production',
          NEXT_PUBLIC_APP_URL: appUrl,
          RATE_LIMIT_BRIDGE_URL: appUrl,
          RATE_LIMIT_BRIDGE_SECRET: bridgeSecret,
          HEALTH_TOKEN,
          METRICS_TOKEN: HEALTH_TOKEN,
          AWS_SES_SNS_TOPIC_ARN: SNS_TOPIC_ARN,
          // Every test signs up and logs in from 127.0.0.1: the per-IP limits are raised so the suite is not
          // its own flood. The per-address+account limits (5 logins per 15 minutes, …) stay at their
          // defaults; the per-account failure limit is lowered from 20 to 4 so one browser can lock an
          // account before its per-address limit stops it.
          RATE_LIMITS:
            'register=500/1h,register-global=5000/1h,login-ip=500/15m,password-reset=500/1h,reset-password=500/15m,login-account=4/1h',
          ...storage,
        },
      };
    }),
    ...(withDevCommand
      ? [
          {
            command: 'bash scripts/dev.sh',
            url: `${devUrl}/`,
            reuseExistingServer: false,
            timeout: 120_000,
            stdout: 'pipe' as const,
            stderr: 'pipe' as const,
            // Nothing configured: every service the test command started is hidden from the dev command.
            env: {
              ...(process.env as Record<string, string>),
              NODE_ENV: 'development',
              PORT: '3500',
              NEXT_PUBLIC_APP_URL: devUrl,
              DATABASE_URL: '',
              REDIS_URL: '',
              MINIO_ENDPOINT: '',
              MINIO_PORT: '',
              MINIO_ACCESS_KEY: '',
              MINIO_SECRET_KEY: '',
              MINIO_PUBLIC_URL: '',
              AWS_SES_ENDPOINT: '',
              AWS_SES_ACCESS_KEY_ID: '',
              AWS_SES_SECRET_ACCESS_KEY: '',
              AWS_SES_FROM_EMAIL: '',
              PGLITE_DIR: '.data/pglite-e2e',
              HEALTH_TOKEN,
              ZZ_SES_PORT: '8007',
              ZZ_STANDIN_S3_PORT: '9021',
              // the stand-in path, as on a machine where MinIO was never built
              ZZ_MINIO_VERSION: 'not-built',
            },
          },
        ]
      : []),
  ],
});

/** The app's storage variables pointed at the Garage that `npm test` started. */
function garageStorage(): Record<string, string> {
  return {
    STORAGE_BACKEND: 'garage',
    MINIO_ENDPOINT: '127.0.0.1',
    MINIO_PORT: process.env.GARAGE_S3_PORT!,
    MINIO_ACCESS_KEY: process.env.GARAGE_ACCESS_KEY!,
    MINIO_SECRET_KEY: process.env.GARAGE_SECRET_KEY!,
    MINIO_PUBLIC_URL: garage.storageUrl,
    MINIO_REGION: '',
  };
}

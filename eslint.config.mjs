// Lint for the whole project: Next's rules (core web vitals, TypeScript) and typescript-eslint's
// recommended set, plus the Edge-safety rule below. `npm run lint` runs it, and `npm test` runs it before
// the suites.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';
import tseslint from 'typescript-eslint';

// Modules that middleware may reach on the Edge runtime (each says "Edge-safe" at its top). They must not
// import Node built-ins, Node-only packages or this project's Node-only modules; Node-only work is reached
// through `await import()` behind `process.env.NEXT_RUNTIME === 'nodejs'`, which this rule leaves alone.
// The Edge variant build (scripts/build-edge-variant.sh) proves the same at bundling time.
export const EDGE_SAFE_FILES = [
  'middleware.ts',
  'lib/config.ts',
  'lib/api/edge.ts',
  'lib/api/problem.ts',
  'lib/auth/edge.ts',
  'lib/auth/cookie-names.ts',
  'lib/auth/origin.ts',
  'lib/auth/password-rules.ts',
  'lib/auth/schemas.ts',
  'lib/observability/scrub.ts',
  'lib/rate-limit/edge-bridge.ts',
  'lib/rate-limit/edge.ts',
  'lib/rate-limit/middleware-handler.ts',
  'lib/rate-limit/policies.ts',
  'lib/rate-limit/routes.ts',
  'lib/rate-limit/verdict.ts',
  'lib/runtime/process-state.ts',
  'lib/runtime/ids.ts',
  'lib/runtime/timing.ts',
  'lib/result.ts',
  'lib/security/content-security-policy.ts',
  'lib/security/index.ts',
  // The toolkit's limiter core, which middleware reaches through @zigznote/ratelimit/limiter.
  'packages/ratelimit/src/limiter/*.ts',
  'packages/ratelimit/src/next/*.ts',
  // What Edge code may import of @zigznote/email.
  'packages/email/src/edge.ts',
  'packages/email/src/errors.ts',
  'packages/email/src/transport-edge.ts',
  'packages/email/src/types.ts',
  // The browser upload engine: no Node built-ins either.
  'packages/uploads/src/browser.ts',
  'lib/storage/backends.ts',
  'lib/storage/keys.ts',
];

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'stream',
  'tls',
  'url',
  'util',
  'zlib',
  'worker_threads',
];

export default tseslint.config(
  {
    ignores: [
      '.next/**',
      '.data/**',
      'node_modules/**',
      'next-env.d.ts',
      'coverage/**',
      'packages/*/dist/**',
      'examples/**',
    ],
  },
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      // An unused value is a mistake; an argument or binding named _ is a declared "not needed".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Links prefetch only prerendered pages (app/links/app-link.tsx says why): no other way to make one.
    files: ['app/**/*.tsx'],
    ignores: ['app/links/app-link.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'next/link',
              message: 'Use AppLink from @/app/links/app-link: it prefetches only prerendered pages.',
            },
          ],
        },
      ],
    },
  },
  {
    // Every browser journey checks that the network settles (e2e/support/test.ts): tests import it from there.
    files: ['e2e/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@playwright/test',
              message:
                "Import test and expect from './support/test': it checks that no request to the app is left pending.",
            },
          ],
        },
      ],
    },
  },
  {
    files: EDGE_SAFE_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: 'Edge-safe module: no Node built-ins.' })),
          patterns: [
            { regex: '^node:', message: 'Edge-safe module: no Node built-ins.' },
            {
              regex:
                '^(ioredis|minio|pg|drizzle-orm|@electric-sql/pglite|@aws-sdk/.*|prom-client|@sentry/nextjs|@react-email/.*|react-email|server-only)(/.*)?$',
              message: 'Edge-safe module: this package needs Node.',
            },
            {
              regex:
                '^(\\.\\.?/)+(.*/)?(server|store-redis|redis-reply|ratelimit|redis|db|cache|health|startup|metrics|email|storage|auth|api|index)(\\.js)?$',
              message:
                "Edge-safe module: that module is Node-only (reach it with await import() behind NEXT_RUNTIME === 'nodejs').",
            },
          ],
        },
      ],
    },
  },
);

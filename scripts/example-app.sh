#!/usr/bin/env bash
# The example app (examples/next-app) as an outsider builds it: the toolkit packages built and packed,
# installed from the tarballs into the example's own node_modules, `next build`, then its Playwright test
# against `next start` and the Redis in REDIS_URL. Called by scripts/test.sh with the services running.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXAMPLE="$ROOT/examples/next-app"
cd "$ROOT"
npm run build:packages --silent
rm -rf "$EXAMPLE/.packed" && mkdir -p "$EXAMPLE/.packed"
for dir in packages/*/; do npm pack -w "$dir" --pack-destination "$EXAMPLE/.packed" --silent > /dev/null; done
cd "$EXAMPLE"
# A tarball of the same name may hold new code: never keep the previous install of our packages.
rm -rf node_modules/@zigznote .next
npm install --no-audit --no-fund --loglevel=error --prefer-offline --no-package-lock
NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build > "${EXAMPLE_BUILD_LOG:-/dev/stdout}" 2>&1 || { tail -n 40 "${EXAMPLE_BUILD_LOG:-/dev/null}"; exit 1; }
cd "$ROOT"
node_modules/.bin/playwright test -c examples/next-app/playwright.config.ts

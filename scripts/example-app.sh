#!/usr/bin/env bash
# The example app (examples/next-app) as an outsider builds it: the toolkit packages built and packed,
# installed from the tarballs into the example's own node_modules, `next build`, and built again with its
# middleware on the Edge runtime (a copy whose middleware config names no runtime, in .data/example-edge),
# then its Playwright tests against both `next start`s and the real Redis, Postgres, SES endpoint and
# MinIO. Called by scripts/test.sh with the services running.
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

EDGE="$ROOT/.data/example-edge"
rm -rf "$EDGE" && mkdir -p "$EDGE"
for entry in app emails lib e2e instrumentation.ts middleware.ts next.config.mjs package.json tsconfig.json next-env.d.ts; do
  [ -e "$entry" ] && cp -r "$entry" "$EDGE/"
done
# Hard links, not a symlink: Turbopack refuses a node_modules that points outside the app's root.
cp -al node_modules "$EDGE/node_modules"
grep -q "^  runtime: 'nodejs',$" "$EDGE/middleware.ts" || { echo "the example's middleware.ts has no runtime line to drop" >&2; exit 1; }
sed -i "/^  runtime: 'nodejs',$/d" "$EDGE/middleware.ts"
(cd "$EDGE" && NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build >> "${EXAMPLE_BUILD_LOG:-/dev/stdout}" 2>&1) || { tail -n 40 "${EXAMPLE_BUILD_LOG:-/dev/null}"; exit 1; }
# Its own Playwright (the same version as ours, pinned in its package.json), as its own suite runs.
cd "$EXAMPLE"
node_modules/.bin/playwright test

#!/usr/bin/env bash
# The one command that runs every test (`npm test`): installs what is missing (npm packages, Debian's
# Redis, Postgres and Chromium, MinIO and Garage built from source), starts the real services on loopback, runs the
# unit, integration and end-to-end suites, stops what it started, and exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NEXT_TELEMETRY_DISABLED=1
# Whatever the calling shell says: every project runs (a leftover E2E_MODES=node or E2E_DEV=0 must not drop
# the edge or dev project), and .only fails the run (vitest and Playwright both refuse it under CI).
export CI=1 E2E_MODES=node,edge E2E_DEV=1 E2E_GARAGE=1
# One key for the build and every production server the tests start, as a deployment shares one.
export NEXT_SERVER_ACTIONS_ENCRYPTION_KEY="${NEXT_SERVER_ACTIONS_ENCRYPTION_KEY:-$(openssl rand -base64 32)}"
# The build names itself, as scripts/deploy's do (skew protection); `next start` must see the same name.
export DEPLOYMENT_ID="${DEPLOYMENT_ID:-t$(date -u +%Y%m%d%H%M%S)}"
began=$SECONDS
phase() { printf '\n=== %s (%ds)\n' "$*" $((SECONDS - began)); }

bash scripts/ensure-deps.sh

phase "installing services"
# Garage too: the storage suites and the upload journey run on both backends.
scripts/services install --with-garage

phase "starting services"
started_services=$(scripts/services up redis minio postgres ses garage)
stop_started() {
  # shellcheck disable=SC2086
  [ -z "$started_services" ] || scripts/services down $started_services || true
}
trap stop_started EXIT
scripts/services status redis minio postgres ses garage

set -a
# shellcheck disable=SC1090
. <(scripts/services env)
set +a

results="$ROOT/.data/test-results"
rm -rf "$results" && mkdir -p "$results"
status=0

phase "types (next typegen, then tsc --noEmit)"
# Route handlers type their params with RouteContext<'/api/…'>, which next typegen writes into .next/types.
node_modules/.bin/next typegen > /dev/null || status=1
node_modules/.bin/tsc --noEmit || status=1

phase "lint and format (eslint, prettier)"
node_modules/.bin/eslint . --max-warnings 0 || status=1
node_modules/.bin/prettier --check . --log-level warn || status=1

phase "unit, package and integration tests (vitest)"
node_modules/.bin/vitest run --project unit --project packages --project integration --reporter=default --reporter=json --outputFile.json="$results/vitest.json" || status=1

phase "the storage suites on Garage (vitest)"
node_modules/.bin/vitest run --project integration-garage --reporter=default --reporter=json --outputFile.json="$results/vitest-garage.json" || status=1

phase "production builds (Node middleware, the Edge variant, the next version for the rollout test)"
if npm run build --silent > "$results/build.log" 2>&1 \
  && bash scripts/build-edge-variant.sh > "$results/build-edge.log" 2>&1 \
  && bash scripts/build-next-variant.sh > "$results/build-next.log" 2>&1; then
  tail -n 25 "$results/build.log"
  phase "end-to-end tests (Playwright, Chromium)"
  node_modules/.bin/playwright test || status=1
  phase "the example app: the packages installed from their tarballs (examples/next-app)"
  EXAMPLE_REPORT="$results/playwright-example.json" EXAMPLE_BUILD_LOG="$results/build-example.log" bash scripts/example-app.sh || status=1
else
  tail -n 60 "$results/build.log" "$results/build-edge.log" "$results/build-next.log" 2>/dev/null
  echo "a production build failed: end-to-end tests not run"
  status=1
fi

phase "summary"
node scripts/test-summary.mjs "$results" || status=1
echo "total time: $((SECONDS - began)) s"
exit $status

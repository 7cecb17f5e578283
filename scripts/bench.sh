#!/usr/bin/env bash
# `npm run bench`: starts the real services, builds the app (Node and Edge middleware), and prints each
# benchmark's table of ratios measured within one run. Not a test: nothing here passes or fails on speed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NEXT_TELEMETRY_DISABLED=1
export NEXT_SERVER_ACTIONS_ENCRYPTION_KEY="${NEXT_SERVER_ACTIONS_ENCRYPTION_KEY:-$(openssl rand -base64 32)}"
bash scripts/ensure-deps.sh
scripts/services install --with-garage
started_services=$(scripts/services up redis minio postgres ses garage)
# shellcheck disable=SC2086
trap '[ -z "$started_services" ] || scripts/services down $started_services' EXIT
set -a
# shellcheck disable=SC1090
. <(scripts/services env)
set +a
echo "building the app (Node and Edge middleware)…"
npm run build --silent > .data/logs/bench-build.log 2>&1
bash scripts/build-edge-variant.sh > .data/logs/bench-build-edge.log 2>&1
for bench in bench/*.ts; do
  [ "$bench" = bench/support.ts ] && continue
  echo "== $bench"
  node_modules/.bin/tsx "$bench"
done

#!/usr/bin/env bash
# Builds the app with middleware.ts on the Edge runtime, for the end-to-end tests that prove both
# middleware modes behave the same. Next reads the runtime from a literal in middleware.ts, so the variant
# is a copy of the sources (node_modules linked, not copied) whose middleware config names no runtime,
# which makes it an Edge middleware. Output: .data/edge-app, started with `next start` there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.data/edge-app"
bash "$ROOT/scripts/copy-sources.sh" "$OUT"
grep -q "^  runtime: 'nodejs',$" "$OUT/middleware.ts" || { echo "middleware.ts has no runtime line to drop" >&2; exit 1; }
sed -i "/^  runtime: 'nodejs',$/d" "$OUT/middleware.ts"
cd "$OUT"
NEXT_TELEMETRY_DISABLED=1 "$ROOT/node_modules/.bin/next" build

#!/usr/bin/env bash
# Completes `next build`'s standalone output into a directory that runs by itself with
# `node server.js`: Next leaves out the static assets, public files and our SQL migrations, which the
# server reads at start-up. The Dockerfile and the deployment test both use this script.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.next/standalone"
[ -f "$OUT/server.js" ] || { echo "no standalone build: run 'npm run build' first" >&2; exit 1; }
mkdir -p "$OUT/.next" "$OUT/lib/db"
rm -rf "$OUT/.next/static" "$OUT/lib/db/migrations"
cp -r "$ROOT/.next/static" "$OUT/.next/static"
cp -r "$ROOT/lib/db/migrations" "$OUT/lib/db/migrations"
if [ -d "$ROOT/public" ]; then rm -rf "$OUT/public"; cp -r "$ROOT/public" "$OUT/public"; fi
echo "standalone app ready in $OUT"

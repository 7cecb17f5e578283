#!/usr/bin/env bash
# `npm start`: the standalone server of the last `npm run build`, as the Docker image runs it. It changes
# nothing on disk, so several instances (ports, PM2, systemd units) may start from one build together.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.next/standalone"
if ! cmp -s "$ROOT/.next/BUILD_ID" "$OUT/.next/ASSEMBLED_BUILD_ID" 2>/dev/null; then
  echo "no assembled build: run 'npm run build' (it builds and assembles .next/standalone)" >&2
  exit 1
fi
exec node "$OUT/serve.mjs"

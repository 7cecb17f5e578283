#!/usr/bin/env bash
# Completes `next build`'s standalone output into a directory that runs by itself with
# `node server.js`: Next leaves out the static assets, public files and our SQL migrations, which the
# server reads at start-up. Runs once, as the last step of `npm run build` (the Dockerfile's too): starting a
# server only reads the build, so any number of instances can start from it at once. The copy is made
# beside the output and renamed into place, so a server never sees half of it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# STANDALONE_DIR: where server.js landed, when Next traced from a folder above the project (a build variant).
OUT="${STANDALONE_DIR:-$ROOT/.next/standalone}"
[ -f "$OUT/server.js" ] || { echo "no standalone build: run 'npm run build' first" >&2; exit 1; }
mkdir -p "$OUT/.next" "$OUT/lib/db"
stage=$(mktemp -d "$OUT/.assembling.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp -r "$ROOT/.next/static" "$stage/static"
cp -r "$ROOT/lib/db/migrations" "$stage/migrations"
[ -d "$ROOT/public" ] && cp -r "$ROOT/public" "$stage/public"
rm -rf "$OUT/.next/static" "$OUT/lib/db/migrations" "$OUT/public"
mv "$stage/static" "$OUT/.next/static"
mv "$stage/migrations" "$OUT/lib/db/migrations"
[ -d "$stage/public" ] && mv "$stage/public" "$OUT/public"
# The backup job (docker/Dockerfile's `backup` target, and the compose `backup` services) runs the same
# lib/backup/cli.ts as scripts/backup, bundled into one file: the image has no tsx and no sources.
version=$(node -p "require('$ROOT/package.json').version")
"$ROOT/node_modules/.bin/esbuild" "$ROOT/lib/backup/cli.ts" --bundle --platform=node --format=esm --target=node24 \
  --external:pg-native --external:@sentry/nextjs --log-level=warning --define:process.env.npm_package_version="'$version'" \
  --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" \
  --outfile="$OUT/backup.mjs"
# The entry that drains on SIGTERM (scripts/serve.mjs): `node serve.mjs` instead of `node server.js`.
cp "$ROOT/scripts/serve.mjs" "$OUT/serve.mjs"
# What `npm start` checks: this assembly belongs to the build beside it.
cp "$ROOT/.next/BUILD_ID" "$OUT/.next/ASSEMBLED_BUILD_ID"
echo "standalone app ready in $OUT"

#!/usr/bin/env bash
# Installs the npm packages when they are missing or older than the lock file, builds the toolkit packages
# (packages/*: the app imports them by name, from their built dist/), and checks that the project's own
# Node 24 (the `node` devDependency) is what npm scripts run on.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ ! -x node_modules/.bin/next ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
fi
version=$(node_modules/.bin/node --version 2>/dev/null || true)
case $version in
  v24.*) ;;
  *) echo "node_modules/.bin/node is '${version:-missing}', expected Node 24: run 'npm install-scripts approve node' and 'npm ci'" >&2; exit 1 ;;
esac
PATH="$ROOT/node_modules/.bin:$PATH" npm run build:packages

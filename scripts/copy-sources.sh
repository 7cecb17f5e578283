#!/usr/bin/env bash
# Copies the project's sources (what git tracks or would track, so no build output or .data) to $1, with
# node_modules linked rather than copied: the start of every build variant the tests need.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$1"
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$ROOT"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  [ -e "$file" ] || continue
  mkdir -p "$OUT/$(dirname "$file")"
  cp -p "$file" "$OUT/$file"
done
ln -s "$ROOT/node_modules" "$OUT/node_modules"

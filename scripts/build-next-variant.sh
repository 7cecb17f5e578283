#!/usr/bin/env bash
# Builds "the next version" of the app for the rollout test (e2e/rollout.spec.ts): the same sources with
# one visible string changed (the brand in the header says "zigznote next") and every server action moved
# to another file, so its action ids differ from the current build's, as a real release's often do. Built
# with DEPLOYMENT_ID=<current id>-next and assembled as the standalone server the image runs.
# Output: .data/next-build/standalone-app (a link to where server.js landed: the copy's node_modules is a link
# into this project, so Next traces from this project's root and nests the app inside its standalone output).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.data/next-build"
: "${DEPLOYMENT_ID:?the rollout test needs both builds named: set DEPLOYMENT_ID for npm run build and this script}"
bash "$ROOT/scripts/copy-sources.sh" "$OUT"
cd "$OUT"
grep -q '^            zigznote$' app/layout.tsx || { echo "app/layout.tsx has no brand line to change" >&2; exit 1; }
sed -i 's/^            zigznote$/            zigznote next/' app/layout.tsx
moved=0
while IFS= read -r -d '' actions; do
  mv "$actions" "${actions%.ts}-next.ts"
  moved=$((moved + 1))
done < <(find app -name actions.ts -print0)
[ "$moved" -gt 0 ] || { echo "no server action file to move" >&2; exit 1; }
grep -rlZ "/actions'" app | xargs -0 sed -i "s#/actions'#/actions-next'#"
NEXT_TELEMETRY_DISABLED=1 DEPLOYMENT_ID="$DEPLOYMENT_ID-next" "$ROOT/node_modules/.bin/next" build
server=$(find .next/standalone -name server.js -not -path '*/node_modules/*' | head -n 1)
[ -n "$server" ] || { echo "next build wrote no standalone server.js" >&2; exit 1; }
STANDALONE_DIR="$OUT/$(dirname "$server")" bash scripts/assemble-standalone.sh
ln -sfn "$OUT/$(dirname "$server")" "$OUT/standalone-app"

#!/usr/bin/env bash
# The one command that runs the app for development (`npm run dev`). Needs no configuration: every
# service you have not configured (in .env.local or the environment) gets a development default, and one
# line per service says which is used:
#   database  embedded PGlite in .data/pglite                      (stand-in; set DATABASE_URL)
#   redis     in-process store                                     (stand-in; set REDIS_URL)
#   email     the local SES endpoint, mailbox at its own URL       (local emulator; set AWS_SES_* for SES)
#   storage   real MinIO when its build is cached (scripts/services install builds it),
#             otherwise the s3rver stand-in                        (set MINIO_* for your MinIO)
# Stand-ins exist only here: the production configuration refuses them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export NEXT_TELEMETRY_DISABLED=1

bash scripts/ensure-deps.sh

for file in .env .env.development .env.local .env.development.local; do
  # shellcheck disable=SC1090
  [ -f "$file" ] && { set -a; . "./$file"; set +a; }
done

PORT="${PORT:-3000}"
export NEXT_PUBLIC_APP_URL="${NEXT_PUBLIC_APP_URL:-http://localhost:$PORT}"
export ZZ_APP_ORIGIN="$NEXT_PUBLIC_APP_URL"
DATA="$ROOT/.data"
mkdir -p "$DATA/logs"
children=()
cleanup() { for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

answers() { curl -fsS -m 2 "$1" >/dev/null 2>&1; }
wait_for() { for _ in $(seq 1 100); do answers "$1" && return 0; sleep 0.2; done; echo "dev: $2 did not start (see $DATA/logs)" >&2; exit 1; }

if [ -z "${AWS_SES_ENDPOINT:-}" ] && [ -z "${AWS_SES_ACCESS_KEY_ID:-}" ]; then
  ses_port="${ZZ_SES_PORT:-8005}"
  if ! answers "http://127.0.0.1:$ses_port/health-check"; then
    node_modules/.bin/aws-ses-v2-local --host 127.0.0.1 --port "$ses_port" >"$DATA/logs/dev-ses.log" 2>&1 &
    children+=($!)
    wait_for "http://127.0.0.1:$ses_port/health-check" "the local SES endpoint"
  fi
  export AWS_SES_ENDPOINT="http://127.0.0.1:$ses_port" AWS_SES_ACCESS_KEY_ID=local AWS_SES_SECRET_ACCESS_KEY=local
  echo "[dev] email:    local SES endpoint; every sent email is in the mailbox at $AWS_SES_ENDPOINT"
fi

if [ -z "${MINIO_ENDPOINT:-}" ]; then
  if scripts/services has-minio-build; then
    scripts/services up minio >/dev/null
    set -a
    # shellcheck disable=SC1090
    . <(scripts/services env | grep '^MINIO_')
    set +a
    echo "[dev] storage:  MinIO at $MINIO_PUBLIC_URL (built from source, started by scripts/services)"
  else
    s3_port="${ZZ_STANDIN_S3_PORT:-9020}"
    mkdir -p "$DATA/s3rver"
    # MinIO's CORS is global (scripts/services sets it); s3rver's is per bucket, for this app's origin.
    cors="$DATA/s3rver-cors.xml"
    cat > "$cors" <<XML
<CORSConfiguration><CORSRule><AllowedOrigin>$NEXT_PUBLIC_APP_URL</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>
XML
    prefix="${MINIO_BUCKET_PREFIX:-zigznote}"
    buckets=()
    for bucket in $(node -p "Object.keys(require('./lib/storage/buckets.json')).filter((name) => name !== '\$comment').join(' ')"); do
      buckets+=(--configure-bucket "$prefix-$bucket" "$cors")
    done
    node_modules/.bin/s3rver -d "$DATA/s3rver" -a 127.0.0.1 -p "$s3_port" --silent "${buckets[@]}" \
      >"$DATA/logs/dev-s3rver.log" 2>&1 &
    children+=($!)
    for _ in $(seq 1 100); do curl -s -m 2 -o /dev/null "http://127.0.0.1:$s3_port/" && break; sleep 0.2; done
    export MINIO_ENDPOINT=127.0.0.1 MINIO_PORT="$s3_port" MINIO_USE_SSL=false \
      MINIO_ACCESS_KEY=S3RVER MINIO_SECRET_KEY=S3RVER MINIO_PUBLIC_URL="http://127.0.0.1:$s3_port"
    echo "[dev] storage:  s3rver stand-in at $MINIO_PUBLIC_URL (accepts any upload policy; run 'scripts/services install' once to use real MinIO)"
  fi
fi

node_modules/.bin/next dev -H "${HOST:-localhost}" -p "$PORT" &
children+=($!)
wait "${children[-1]}"

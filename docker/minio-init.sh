#!/usr/bin/env bash
# MinIO's keys for a fresh (or existing) deployment, from the root credentials: the app's own key, allowed
# its buckets (<prefix>-*) and nothing else; the backup job's key, allowed to write and read the backups
# bucket and not to delete (a stolen backup key cannot erase the backups); and the pruning job's key,
# allowed to list, read and delete there and not to write. Safe to run on every `up`: users are updated,
# policies replaced, attachments kept.
# Needs: mc, MINIO_URL, MINIO_ROOT_USER/PASSWORD, MINIO_APP_ACCESS_KEY/SECRET_KEY,
# MINIO_BACKUP_ACCESS_KEY/SECRET_KEY, MINIO_PRUNE_ACCESS_KEY/SECRET_KEY, MINIO_BUCKET_PREFIX.
set -euo pipefail
prefix="${MINIO_BUCKET_PREFIX:-zigznote}"
for key in MINIO_APP_ACCESS_KEY MINIO_BACKUP_ACCESS_KEY MINIO_PRUNE_ACCESS_KEY; do
  if [ "${!key}" = "$MINIO_ROOT_USER" ]; then
    echo "minio-init: $key must not be the root user: give the app, backup and prune jobs keys of their own" >&2
    exit 1
  fi
done
if [ "$(printf '%s\n' "$MINIO_APP_ACCESS_KEY" "$MINIO_BACKUP_ACCESS_KEY" "$MINIO_PRUNE_ACCESS_KEY" | sort -u | wc -l)" != 3 ]; then
  echo "minio-init: MINIO_APP_ACCESS_KEY, MINIO_BACKUP_ACCESS_KEY and MINIO_PRUNE_ACCESS_KEY must all differ" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export MC_CONFIG_DIR="$work/mc"
mc alias set root "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null

cat > "$work/app.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::${prefix}-*", "arn:aws:s3:::${prefix}-*/*"] }
  ]
}
JSON
cat > "$work/backups.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], "Resource": ["arn:aws:s3:::${prefix}-backups"] },
    { "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], "Resource": ["arn:aws:s3:::${prefix}-backups/*"] }
  ]
}
JSON

cat > "$work/backups-prune.json" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": ["arn:aws:s3:::${prefix}-backups"] },
    { "Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": ["arn:aws:s3:::${prefix}-backups/*"] }
  ]
}
JSON

grant() { # user secret policy-name policy-file
  mc admin user add root "$1" "$2" >/dev/null
  mc admin policy create root "$3" "$4" >/dev/null
  # Attaching a policy already attached is refused; what counts is that it is attached afterwards.
  mc admin policy attach root "$3" --user "$1" >/dev/null 2>&1 || true
  mc admin user info root "$1" --json | grep -q "\"$3\"" || {
    echo "minio-init: could not attach $3 to $1" >&2
    exit 1
  }
}
grant "$MINIO_APP_ACCESS_KEY" "$MINIO_APP_SECRET_KEY" "${prefix}-app" "$work/app.json"
grant "$MINIO_BACKUP_ACCESS_KEY" "$MINIO_BACKUP_SECRET_KEY" "${prefix}-backups" "$work/backups.json"
grant "$MINIO_PRUNE_ACCESS_KEY" "$MINIO_PRUNE_SECRET_KEY" "${prefix}-backups-prune" "$work/backups-prune.json"
echo "minio-init: keys ready (app: ${prefix}-* buckets; backups: write ${prefix}-backups; prune: delete there)"

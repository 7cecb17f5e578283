#!/usr/bin/env bash
# MinIO's keys for a fresh (or existing) deployment, from the root credentials: the app's own key, allowed
# its buckets (<prefix>-*) and nothing else, and the backup job's key, allowed to write and read the backups
# bucket only. Safe to run on every `up`: users are updated, policies replaced, attachments kept.
# Needs: mc, MINIO_URL, MINIO_ROOT_USER/PASSWORD, MINIO_APP_ACCESS_KEY/SECRET_KEY,
# MINIO_BACKUP_ACCESS_KEY/SECRET_KEY, MINIO_BUCKET_PREFIX.
set -euo pipefail
prefix="${MINIO_BUCKET_PREFIX:-zigznote}"
for key in MINIO_APP_ACCESS_KEY MINIO_BACKUP_ACCESS_KEY; do
  if [ "${!key}" = "$MINIO_ROOT_USER" ]; then
    echo "minio-init: $key must not be the root user: give the app and the backups keys of their own" >&2
    exit 1
  fi
done
if [ "$MINIO_APP_ACCESS_KEY" = "$MINIO_BACKUP_ACCESS_KEY" ]; then
  echo "minio-init: MINIO_APP_ACCESS_KEY and MINIO_BACKUP_ACCESS_KEY must differ" >&2
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
echo "minio-init: keys ready (app: ${prefix}-* buckets; backups: ${prefix}-backups)"

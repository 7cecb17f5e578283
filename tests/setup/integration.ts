// Integration tests talk to the real services that `npm test` (scripts/test.sh) started, through the
// environment it exported from `scripts/services env`. Failing loudly here beats a timeout in every test.
const required = ['REDIS_URL', 'DATABASE_URL', 'MINIO_ENDPOINT', 'AWS_SES_ENDPOINT'];
const missing = required.filter((name) => !process.env[name]);
if (missing.length > 0) {
  throw new Error(
    `Integration tests need the real services: missing ${missing.join(', ')}. Run them with \`npm test\`, ` +
      'or `scripts/services up && set -a && . <(scripts/services env) && set +a` first.',
  );
}

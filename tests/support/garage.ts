// Garage for the bucket-mirror tests: its buckets made by the deployment's own init script
// (docker/garage-init.mjs), under a key and bucket prefix of the test's own.
import { spawnSync } from 'node:child_process';

export function initGarageBuckets(key: { accessKey: string; secretKey: string }, bucketPrefix: string) {
  return spawnSync('node', ['docker/garage-init.mjs'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GARAGE_APP_KEY_ID: key.accessKey,
      GARAGE_APP_SECRET_KEY: key.secretKey,
      BUCKET_PREFIX: bucketPrefix,
    },
  });
}

/**
 * Making the buckets of the table (buckets.json) at start-up: idempotent, safe when several instances
 * start at once (a bucket someone else just made counts as made), and retried with
 * backoff while storage is still starting. The last outcome is kept for /api/health. Node-only.
 */
import type { Client } from 'minio';
import { processState } from '../runtime';
import { backoffMs, sleep } from '../runtime';
import { BUCKET_RULES, type BucketName } from './bucket-table';

export interface BucketStatus {
  ready: boolean;
  buckets: string[];
  error?: string;
  at: string;
}

const state = processState('buckets', () => ({ last: undefined as BucketStatus | undefined }));

export function bucketStatus(): BucketStatus | undefined {
  return state.last;
}

async function ensureBucket(
  client: Client,
  bucket: string,
  region: string,
  missingHint: string | undefined,
): Promise<void> {
  if (await client.bucketExists(bucket)) return;
  if (missingHint) throw new Error(`bucket ${bucket} does not exist: ${missingHint}`);
  try {
    await client.makeBucket(bucket, region);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Another instance made it between our check and our call.
    if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return;
    throw error;
  }
}

export async function ensureBuckets(
  client: Client,
  names: Record<BucketName, string>,
  region: string,
  options: {
    attempts?: number;
    baseDelayMs?: number;
    /** Runs for every bucket a browser uploads to, after it exists (e.g. its CORS rules, on Garage). */
    configureBrowserBucket?: (bucket: string) => Promise<void>;
    /** Set where buckets are made by the storage server's own init step: a missing one is reported with it. */
    missingHint?: string;
  } = {},
): Promise<BucketStatus> {
  const attempts = options.attempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const buckets = Object.values(names);
  for (let attempt = 1; ; attempt++) {
    try {
      for (const bucket of buckets) await ensureBucket(client, bucket, region, options.missingHint);
      if (options.configureBrowserBucket) {
        for (const [name, bucket] of Object.entries(names) as [BucketName, string][]) {
          if (BUCKET_RULES[name].contentTypes.length > 0) await options.configureBrowserBucket(bucket);
        }
      }
      state.last = { ready: true, buckets, at: new Date().toISOString() };
      return state.last;
    } catch (error) {
      if (attempt >= attempts) {
        state.last = {
          ready: false,
          buckets,
          error: error instanceof Error ? error.message : String(error),
          at: new Date().toISOString(),
        };
        return state.last;
      }
      await sleep(backoffMs(attempt, baseDelayMs, 5_000));
    }
  }
}

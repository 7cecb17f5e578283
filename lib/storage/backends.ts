/**
 * What differs between the S3 servers the storage layer runs on, in one description per server; the rest
 * of lib/storage speaks plain S3 through minio-js and never asks which server it is. MinIO is the default;
 * Garage is the maintained alternative (MinIO's community server is archived). Edge-safe (plain data).
 */
import { STORAGE_BACKEND_REGIONS, type StorageBackendName } from '../config';

export type { StorageBackendName };
export const STORAGE_BACKENDS = Object.keys(STORAGE_BACKEND_REGIONS) as StorageBackendName[];

export interface StorageBackend {
  name: StorageBackendName;
  label: string;
  /**
   * How browsers' origins are allowed: MinIO's community server has one server-wide list
   * (MINIO_API_CORS_ALLOW_ORIGIN, set where it is started); Garage keeps CORS rules per bucket, which the
   * app writes itself when it makes its buckets.
   */
  cors: 'server-wide' | 'per-bucket';
  /** How to have the server allow a browser origin, for the self-check's message when it does not. */
  corsHint: string;
  /**
   * Who makes the buckets: the app at start-up (MinIO), or the server's init step (Garage: a bucket made
   * through S3 gets only a local alias of the key that made it, whose CORS rules the unauthenticated
   * preflight cannot see). When the app does not, a missing bucket is reported with this hint.
   */
  buckets: { madeBy: 'app' } | { madeBy: 'init'; hint: string };
  /** The server's readiness probe, relative to its S3 origin (MinIO) or its admin origin (Garage). */
  readiness: { on: 's3' | 'admin'; path: string };
}

export const STORAGE_BACKEND_DESCRIPTIONS: Record<StorageBackendName, StorageBackend> = {
  minio: {
    name: 'minio',
    label: 'MinIO',
    cors: 'server-wide',
    corsHint: "start MinIO with MINIO_API_CORS_ALLOW_ORIGIN listing the app's origin",
    buckets: { madeBy: 'app' },
    readiness: { on: 's3', path: '/minio/health/ready' },
  },
  garage: {
    name: 'garage',
    label: 'Garage',
    cors: 'per-bucket',
    corsHint:
      "the app writes each bucket's CORS rules at start-up: give its key the owner permission on the buckets (garage bucket allow --owner)",
    buckets: {
      madeBy: 'init',
      hint: 'run the garage-init step (docker/garage-init.mjs), which creates the buckets with global aliases',
    },
    readiness: { on: 'admin', path: '/health' },
  },
};

export function storageBackend(name: StorageBackendName): StorageBackend {
  return STORAGE_BACKEND_DESCRIPTIONS[name];
}

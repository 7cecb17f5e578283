/**
 * File storage on an S3 server, MinIO by default or Garage (backends.ts says what differs): two clients (operations on the internal endpoint, signing for the
 * public one), the buckets and their rules, presigned uploads that MinIO enforces (POST policies, and
 * multipart parts signed with their exact size), a per-user quota, atomic completion, sweeps that revoke
 * ended uploads, safe presigned downloads, a liveness probe, and the start-up check of the server's guarantees.
 * Node-only.
 */
export { getStorageClients, createOperationsClient, createSigningClient, pingStorage } from './clients';
export {
  BUCKET_NAMES,
  BUCKET_RULES,
  UPLOAD_BUCKETS,
  bucketForContentType,
  bucketNames,
  type BucketName,
  type BucketRule,
} from './bucket-table';
export { bucketStatus, ensureBuckets, type BucketStatus } from './buckets';
export { sanitizeFilename, objectKeyFor } from './keys';
export { MULTIPART_THRESHOLD, MIN_PART_SIZE, UPLOAD_TTL_SECONDS, createAppUploads } from './uploads';
export { contentDisposition, DOWNLOAD_TTL_SECONDS } from './downloads';
export { STORAGE_BACKENDS, storageBackend, type StorageBackend, type StorageBackendName } from './backends';
export {
  GUARANTEES,
  checkStorageGuarantees,
  lastGuaranteeReport,
  missingGuarantees,
  type GuaranteeReport,
  type GuaranteeResult,
} from './guarantees';
export { putBucketCors } from './bucket-cors';
export { sendToStorage } from './storage-http';
export * from './files';
export { getStorageDeps, resolvedBuckets, setUpConfiguredBuckets, verifyStorageGuarantees } from './server';

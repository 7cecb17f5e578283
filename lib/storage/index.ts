/**
 * File storage on an S3 server, MinIO by default or Garage (backends.ts says what differs): two clients (operations on the internal endpoint, signing for the
 * public one), the buckets and their rules, presigned uploads that MinIO enforces (POST policies, and
 * multipart parts signed with their exact size), a per-user quota, atomic completion, sweeps that revoke
 * ended uploads, safe presigned downloads, a liveness probe, and the start-up check of the server's guarantees.
 * Node-only.
 */
export { createOperationsClient, createSigningClient, pingStorage } from './clients';
// The bucket table and its derived choices: the browser's part, which the server uses too.
export * from './client';
export { bucketStatus, ensureBuckets } from './buckets';
export { MIN_PART_SIZE, createAppUploads } from './uploads';
export { STORAGE_BACKENDS, storageBackend, type StorageBackendName } from './backends';
export { checkStorageGuarantees, lastGuaranteeReport, missingGuarantees, type GuaranteeReport } from './guarantees';
export { putBucketCors } from './bucket-cors';
export { sendToStorage } from './storage-http';
export * from './files';
export { getStorageDeps, setUpConfiguredBuckets, verifyStorageGuarantees } from './server';

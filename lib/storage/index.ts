/**
 * File storage on MinIO (S3-compatible): two clients (operations on the internal endpoint, signing for the
 * public one), the buckets and their rules, presigned uploads that MinIO enforces (POST policies, and
 * multipart for large files), verified completion, safe presigned downloads, and a liveness probe.
 * Node-only.
 */
export { getStorageClients, createOperationsClient, createSigningClient, pingStorage } from './clients';
export { BUCKET_RULES, bucketNames, bucketStatus, initializeBuckets as ensureBuckets, type BucketName, type BucketRule, type BucketStatus } from './buckets';
export { sanitizeFilename, objectKeyFor } from './keys';
export { MULTIPART_THRESHOLD, MIN_PART_SIZE, MAX_PARTS, UPLOAD_TTL_SECONDS, partPlan, type PostUpload, type MultipartUpload } from './uploads';
export { contentDisposition, DOWNLOAD_TTL_SECONDS } from './downloads';
export * from './files';
export {
  BUCKETS,
  minioClient,
  initializeBuckets,
  uploadFile,
  downloadFile,
  getFileStream,
  deleteFile,
  getUploadUrl,
  getDownloadUrl,
  getStorageDeps,
  resolvedBuckets,
} from './server';

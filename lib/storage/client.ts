/**
 * What client components need of storage: the bucket table and its derived choices, and the usage shape
 * the file page shows. Browser-safe (no client, no configuration; StorageUsage is a type only).
 */
export {
  BUCKET_NAMES,
  BUCKET_RULES,
  UPLOAD_BUCKETS,
  bucketForContentType,
  bucketNames,
  type BucketName,
} from './bucket-table';
export type { StorageUsage } from './files';

/**
 * @zigznote/uploads: uploads from the browser straight to S3-compatible storage (MinIO, Garage, S3),
 * never through the app. The server side (this entry, Node): POST policies with exact key, type and size
 * range; multipart uploads whose part URLs are signed with their exact Content-Length; completion that
 * checks what storage holds. The browser side: `@zigznote/uploads/browser`.
 */
export {
  createDirectUploads,
  MAX_PARTS,
  MissingBucketError,
  partLength,
  partPlan,
  UploadInputError,
  type CompleteResult,
  type DirectUploads,
  type DirectUploadsOptions,
  type MultipartUpload,
  type PartUrl,
  type PostUpload,
  type UploadRecord,
} from './direct-uploads.js';
export { createPartSigner, type PartSigner, type PartSignerOptions, type PartToSign } from './part-signer.js';

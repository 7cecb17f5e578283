/**
 * A bucket emptied between tests, so one test's files never show up in the next one's listing: every
 * object under `prefix` removed, and every unfinished multipart upload aborted (their parts hold space and
 * are not listed as objects). Works on MinIO, Garage and S3 through the minio-js client you pass.
 */
export interface BucketClient {
  listObjectsV2(bucket: string, prefix?: string, recursive?: boolean): AsyncIterable<{ name?: string }>;
  removeObjects(bucket: string, names: string[]): Promise<unknown>;
  listIncompleteUploads(
    bucket: string,
    prefix?: string,
    recursive?: boolean,
  ): AsyncIterable<{ key: string; uploadId: string }>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<unknown>;
}

/** Answers how many objects it removed. */
export async function emptyBucket(
  client: BucketClient,
  bucket: string,
  { prefix = '' }: { prefix?: string } = {},
): Promise<number> {
  if (typeof client?.listObjectsV2 !== 'function')
    throw new TypeError('emptyBucket needs a minio-js Client (new Client({ endPoint, … }))');
  const names: string[] = [];
  for await (const item of client.listObjectsV2(bucket, prefix, true)) if (item.name) names.push(item.name);
  // S3's DeleteObjects takes up to 1,000 keys a call.
  for (let i = 0; i < names.length; i += 1000) await client.removeObjects(bucket, names.slice(i, i + 1000));
  // Listed for the whole bucket and filtered here: MinIO lists unfinished uploads under a prefix only when
  // the prefix is a whole object name.
  const unfinished: Array<{ key: string; uploadId: string }> = [];
  for await (const upload of client.listIncompleteUploads(bucket, '', true))
    if (upload.key.startsWith(prefix)) unfinished.push(upload);
  for (const upload of unfinished) await client.abortMultipartUpload(bucket, upload.key, upload.uploadId);
  return names.length;
}

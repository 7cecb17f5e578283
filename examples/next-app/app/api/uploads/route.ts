// Starts an upload that goes from the browser straight to MinIO: up to 10 MB, any type.
import { randomUUID } from 'node:crypto';
import { BUCKET, saveRecord, uploads } from '../../../lib/storage';

const MAX_BYTES = 10 * 1024 * 1024;

export async function POST(request: Request) {
  const body = (await request.json().catch(() => null)) as {
    filename?: unknown;
    contentType?: unknown;
    size?: unknown;
  } | null;
  const { filename, contentType, size } = body ?? {};
  if (
    typeof filename !== 'string' ||
    typeof contentType !== 'string' ||
    typeof size !== 'number' ||
    !Number.isSafeInteger(size) ||
    size < 1
  ) {
    return Response.json({ detail: 'Send { filename, contentType, size }.' }, { status: 400 });
  }
  if (size > MAX_BYTES) return Response.json({ detail: 'Files here can be up to 10 MB.' }, { status: 413 });
  const id = randomUUID();
  const key = `uploads/${id}/${filename.replace(/[^\w.-]+/g, '_').slice(0, 100)}`;
  const upload = await uploads.start({ bucket: BUCKET, key, contentType, size });
  await saveRecord(id, {
    bucket: BUCKET,
    key,
    contentType,
    size,
    ...(upload.method === 'MULTIPART'
      ? { multipartId: upload.multipartId, partSize: upload.partSize, partCount: upload.partCount }
      : {}),
  });
  return Response.json({ uploadId: id, ...upload });
}

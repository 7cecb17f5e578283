import { takeRecord, uploads, saveRecord } from '../../../../../lib/storage';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const id = (await params).id;
  const record = await takeRecord(id);
  if (!record) return Response.json({ detail: 'No such upload (or it was completed already).' }, { status: 404 });
  const { parts } = ((await request.json().catch(() => null)) ?? {}) as {
    parts?: Array<{ partNumber: number; etag: string }>;
  };
  const done = await uploads.complete(record, parts);
  if (!done.ok) {
    // Nothing changed in storage unless it did not match: then the upload is over.
    if (done.reason !== 'mismatch') await saveRecord(id, record);
    return Response.json({ detail: done.error }, { status: done.reason === 'not-uploaded' ? 409 : 422 });
  }
  return Response.json({ file: { key: done.key, size: done.size } });
}

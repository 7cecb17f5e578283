import { UploadInputError } from '@zigznote/uploads';
import { readRecord, uploads } from '../../../../../lib/storage';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const record = await readRecord((await params).id);
  if (!record) return Response.json({ detail: 'No such upload.' }, { status: 404 });
  const { partNumbers } = ((await request.json().catch(() => null)) ?? {}) as { partNumbers?: number[] };
  try {
    return Response.json({ parts: await uploads.signParts(record, Array.isArray(partNumbers) ? partNumbers : []) });
  } catch (error) {
    if (error instanceof UploadInputError) return Response.json({ detail: error.message }, { status: 400 });
    throw error;
  }
}

import { z } from 'zod';
import { problemFor, readJson, jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { completeUpload, getStorageDeps } from '@/lib/storage';

export const dynamic = 'force-dynamic';

const completeSchema = z.object({
  parts: z
    .array(z.object({ partNumber: z.number().int().min(1).max(10_000), etag: z.string().min(1).max(200) }))
    .max(10_000)
    .optional(),
});

export const POST = jsonRoute(
  async (request: Request, { params }: RouteContext<'/api/uploads/[uploadId]/complete'>) => {
    const user = await requireUser();
    if (!user.ok) return user.response;
    const body = await readJson(request, completeSchema, 1024 * 1024);
    if (!body.ok) return body.response;
    const { uploadId } = await params;
    const result = await completeUpload(await getStorageDeps(), user.userId, uploadId, body.data.parts);
    if (!result.ok) return problemFor(result.status, result.error);
    return Response.json({ file: result.file });
  },
);

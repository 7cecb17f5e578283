import { z } from 'zod';
import { problemFor, readJson, jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { getStorageDeps, resumeUpload } from '@/lib/storage';

// Where a multipart upload stands after a reload: the parts storage already holds, for the same file only.
export const dynamic = 'force-dynamic';

const resumeSchema = z.object({ fingerprint: z.string().min(1).max(600) });

export const POST = jsonRoute(async (request: Request, { params }: RouteContext<'/api/uploads/[uploadId]/resume'>) => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const body = await readJson(request, resumeSchema);
  if (!body.ok) return body.response;
  const { uploadId } = await params;
  const result = await resumeUpload(await getStorageDeps(), user.userId, uploadId, body.data.fingerprint);
  if (!result.ok) return problemFor(result.status, result.error);
  const { ok: _ok, ...state } = result;
  return Response.json(state);
});

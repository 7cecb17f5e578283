import { z } from 'zod';
import { problemFor, readJson, jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { getStorageDeps, signUploadParts } from '@/lib/storage';

// More part URLs for a multipart upload in progress, each signed for its exact size; asking extends the
// upload's life while it proceeds.
export const dynamic = 'force-dynamic';

const partsSchema = z.object({ partNumbers: z.array(z.number().int().min(1).max(10_000)).min(1).max(64) });

export const POST = jsonRoute(async (request: Request, { params }: RouteContext<'/api/uploads/[uploadId]/parts'>) => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const body = await readJson(request, partsSchema);
  if (!body.ok) return body.response;
  const { uploadId } = await params;
  const result = await signUploadParts(await getStorageDeps(), user.userId, uploadId, body.data.partNumbers);
  if (!result.ok) return problemFor(result.status, result.error);
  return Response.json({ parts: result.parts, expiresAt: result.expiresAt });
});

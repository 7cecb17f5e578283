import { problemFor, jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { abortUpload, getStorageDeps } from '@/lib/storage';

export const dynamic = 'force-dynamic';

export const POST = jsonRoute(async (_request: Request, { params }: RouteContext<'/api/uploads/[uploadId]/abort'>) => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const { uploadId } = await params;
  const result = await abortUpload(await getStorageDeps(), user.userId, uploadId);
  if (!result.ok) return problemFor(result.status, result.error);
  return new Response(null, { status: 204 });
});

import { problemFor, jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { deleteOwnedFile, getStorageDeps } from '@/lib/storage';

export const dynamic = 'force-dynamic';

export const DELETE = jsonRoute(async (_request: Request, { params }: RouteContext<'/api/files/[id]'>) => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const result = await deleteOwnedFile(await getStorageDeps(), user.userId, (await params).id);
  if (!result.ok) return problemFor(result.status, result.error);
  return new Response(null, { status: 204 });
});

import { requireUser, jsonRoute } from '@/lib/api';
import { getStorageDeps, listFiles } from '@/lib/storage';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  return Response.json({ files: await listFiles(await getStorageDeps(), user.userId) }, { headers: { 'Cache-Control': 'no-store' } });
});

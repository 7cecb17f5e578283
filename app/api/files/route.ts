import { requireUser, jsonRoute } from '@/lib/api';
import { getStorageDeps, listFiles, storageUsage } from '@/lib/storage';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const deps = await getStorageDeps();
  const [files, usage] = await Promise.all([listFiles(deps, user.userId), storageUsage(deps.db, user.userId, deps.quotaBytes)]);
  return Response.json({ files, usage }, { headers: { 'Cache-Control': 'no-store' } });
});

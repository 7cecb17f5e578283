import { jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { fileListing } from '@/app/files/file-listing';

export const dynamic = 'force-dynamic';

export const GET = jsonRoute(async () => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const { files, usage } = await fileListing(user.userId);
  return Response.json({ files, usage }, { headers: { 'Cache-Control': 'no-store' } });
});

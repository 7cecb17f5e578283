import { problemFor, jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { downloadLink, getStorageDeps } from '@/lib/storage';

export const dynamic = 'force-dynamic';

// A short-lived presigned GET: JSON by default, or a redirect to it with ?redirect=1 (for plain links).
export const GET = jsonRoute(async (request: Request, { params }: RouteContext<'/api/files/[id]/download'>) => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const result = await downloadLink(await getStorageDeps(), user.userId, (await params).id);
  if (!result.ok) return problemFor(result.status, result.error);
  if (new URL(request.url).searchParams.get('redirect') === '1') {
    return new Response(null, { status: 303, headers: { Location: result.url, 'Cache-Control': 'no-store' } });
  }
  return Response.json({ url: result.url, expiresIn: result.expiresIn }, { headers: { 'Cache-Control': 'no-store' } });
});

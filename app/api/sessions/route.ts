import { jsonRoute, problemFor } from '@/lib/api';
import { currentUserSessions } from '@/lib/auth';

export const dynamic = 'force-dynamic';

/** The signed-in user's live sessions (device, network, created, last seen, which one is asking). */
export const GET = jsonRoute(async () => {
  const listed = await currentUserSessions();
  if (!listed) return problemFor(401, 'Log in first.');
  return Response.json({ sessions: listed.sessions }, { headers: { 'Cache-Control': 'private, no-store' } });
});

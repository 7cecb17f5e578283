import { jsonRoute, problemFor } from '@/lib/api';
import { getCurrentSession, signOutSession } from '@/lib/auth';
import { limitMessage } from '@/lib/rate-limit';
import { checkSessionsRateLimit, clientIpFromHeaders } from '@/lib/rate-limit';

export const dynamic = 'force-dynamic';

/**
 * Signs out one of the caller's own sessions. Another user's id, a forged one and one already ended are
 * all the same 404: the answer tells nothing about sessions that are not the caller's.
 */
export const DELETE = jsonRoute(async (request: Request, { params }: RouteContext<'/api/sessions/[id]'>) => {
  const session = await getCurrentSession();
  if (!session) return problemFor(401, 'Log in first.');
  const decision = await checkSessionsRateLimit(session.userId, clientIpFromHeaders(request.headers));
  if (!decision.allowed) {
    const status = decision.status === 503 ? 503 : 429;
    return problemFor(
      status,
      limitMessage(status, decision.retryAfterSeconds),
      {},
      { 'Retry-After': String(decision.retryAfterSeconds) },
    );
  }
  if (!(await signOutSession(session, (await params).id)))
    return problemFor(404, 'No session of yours has this id: it may have ended already.');
  return new Response(null, { status: 204 });
});

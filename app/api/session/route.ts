import { problemFor } from '@/lib/api';
import { limitMessage } from '@/lib/rate-limit';
import { currentSessionToken, getCurrentSession } from '@/lib/auth';
import { checkSessionRateLimit, clientIpFromHeaders } from '@/lib/rate-limit';

export const dynamic = 'force-dynamic';

const answer = (signedIn: boolean) =>
  Response.json({ signedIn }, { headers: { 'Cache-Control': 'private, no-store' } });

// Whether this browser is signed in, for the header of pages rendered alike for everyone. Says nothing
// more (the account page shows who). A request with no cookie, or one no session could have, is answered
// without touching Redis; the others are limited per address (the `session` group) before the lookup.
export async function GET(request: Request) {
  if (!(await currentSessionToken())) return answer(false);
  const limit = await checkSessionRateLimit(clientIpFromHeaders(request.headers)).catch(() => null);
  if (limit && !limit.allowed) {
    return problemFor(
      429,
      limitMessage(429, limit.retryAfterSeconds),
      { retryAfter: limit.retryAfterSeconds },
      limit.headers,
    );
  }
  const session = await getCurrentSession().catch(() => null);
  return answer(session !== null);
}

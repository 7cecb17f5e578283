import { getCurrentSession } from '@/lib/auth/server';

export const dynamic = 'force-dynamic';

// Whether this browser is signed in, for the header of pages rendered alike for everyone. Says nothing
// more (the account page shows who); not rate limited, like the other endpoints every page calls, and
// a request without a session cookie costs nothing.
export async function GET() {
  const session = await getCurrentSession().catch(() => null);
  return Response.json({ signedIn: session !== null }, { headers: { 'Cache-Control': 'private, no-store' } });
}

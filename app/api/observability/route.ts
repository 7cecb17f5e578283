import { getConfig } from '@/lib/config';

// The browser's error-tracking settings, read at run time so one build serves every deployment.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ dsn: getConfig().sentryDsn ?? null }, { headers: { 'Cache-Control': 'public, max-age=300' } });
}

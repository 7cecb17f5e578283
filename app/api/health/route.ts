import { getConfig } from '@/lib/config';
import { checkHealth } from '@/lib/health';
import { getRateLimiter } from '@/lib/rate-limit/server';

export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth(getConfig());
  const rateLimit = getRateLimiter().health();
  return Response.json(
    {
      status: rateLimit.degraded ? 'degraded' : report.status,
      checks: { ...report.checks, rateLimit: { ok: !rateLimit.degraded, required: false, ...rateLimit } },
    },
    { status: report.httpStatus, headers: { 'Cache-Control': 'no-store' } },
  );
}

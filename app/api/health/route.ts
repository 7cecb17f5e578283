import { getConfig } from '@/lib/config';
import { checkHealth } from '@/lib/health';
import { getRateLimiter } from '@/lib/rate-limit/server';

export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth(getConfig());
  // The limiter can be degraded (serving from memory) while a fresh PING succeeds: report both.
  const limiter = getRateLimiter().health();
  const checks = { ...report.checks, redis: { ...report.checks.redis, limiter } };
  return Response.json(
    { status: limiter.degraded ? 'degraded' : report.status, checks },
    { status: report.httpStatus, headers: { 'Cache-Control': 'no-store' } },
  );
}

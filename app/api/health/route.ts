import { cacheStats } from '@/lib/cache';
import { getConfig } from '@/lib/config';
import { backupReport, checkHealth, presentsHealthToken } from '@/lib/health';
import { getRateLimiter } from '@/lib/rate-limit';
import { isDraining } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

// Monitors get the status and each check's ok and latency; the error text, modes and the limiter's
// state (which name internal hosts) only go to callers presenting HEALTH_TOKEN.
export async function GET(request: Request) {
  // A replica shutting down says so at once, before any check: the balancer stops sending it work.
  if (isDraining())
    return Response.json({ status: 'draining' }, { status: 503, headers: { 'Cache-Control': 'no-store' } });
  const config = getConfig();
  const report = await checkHealth(config);
  const limiter = getRateLimiter().health();
  const status = limiter.degraded ? 'degraded' : report.status;
  const detailed = presentsHealthToken(request.headers.get('authorization'), config.healthToken);
  const checks = detailed
    ? { ...report.checks, redis: { ...report.checks.redis, limiter, cache: cacheStats() } }
    : Object.fromEntries(
        Object.entries(report.checks).map(([name, check]) => [name, { ok: check.ok, latencyMs: check.latencyMs }]),
      );
  // Backups run outside the app and do not make it unhealthy: the token view says whether they are current.
  const body = detailed ? { status, checks, backups: await backupReport(config) } : { status, checks };
  return Response.json(body, { status: report.httpStatus, headers: { 'Cache-Control': 'no-store' } });
}

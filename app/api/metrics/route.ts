import { getConfig } from '@/lib/config';
import { backupReport, presentsHealthToken } from '@/lib/health';
import { exposeBackupFigures, metricsText, METRICS_CONTENT_TYPE } from '@/lib/observability';

// Prometheus scrapes this with `Authorization: Bearer <METRICS_TOKEN>`; without the token configured, or
// presented, the route does not exist.
export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const token = getConfig().metricsToken;
  if (!presentsHealthToken(request.headers.get('authorization'), token)) {
    return Response.json(
      { title: 'Not Found', status: 404 },
      { status: 404, headers: { 'Content-Type': 'application/problem+json' } },
    );
  }
  exposeBackupFigures(async () => {
    const report = await backupReport(getConfig());
    return 'newestAt' in report ? report : null;
  });
  return new Response(await metricsText(), {
    headers: { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' },
  });
}

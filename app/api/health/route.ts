import { getConfig } from '@/lib/config';
import { checkHealth } from '@/lib/health';

export const dynamic = 'force-dynamic';

export async function GET() {
  const report = await checkHealth(getConfig());
  return Response.json(
    { status: report.status, checks: report.checks },
    { status: report.httpStatus, headers: { 'Cache-Control': 'no-store' } },
  );
}

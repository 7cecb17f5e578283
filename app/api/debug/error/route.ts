import { problemFor } from '@/lib/api';
import { getConfig } from '@/lib/config';

// Throws on purpose so an admin can check that errors reach GlitchTip (and that secrets in the request
// do not). Exists only with ENABLE_DEBUG_ROUTES=true.
export const dynamic = 'force-dynamic';

export function GET(request: Request) {
  if (!getConfig().debugRoutes) return problemFor(404);
  throw new Error(`Deliberate error to check error tracking (${new URL(request.url).search || 'no query'})`);
}

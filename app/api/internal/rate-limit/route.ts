import { createBridgeHandler } from '@zigznote/ratelimit/next';
import { getConfig } from '@/lib/config';
import { ROUTE_GROUPS, type RouteGroup } from '@/lib/rate-limit';
import { userIdOfSession } from '@/lib/auth';
import { decide } from '@/lib/rate-limit';

// The Edge-runtime middleware's way to the limiter (@zigznote/ratelimit/next's bridge): a batch of checks
// per POST. Not rate limited itself, outside middleware's matcher, and a 404 to anyone without the secret.
export const dynamic = 'force-dynamic';

export const POST = createBridgeHandler<RouteGroup>({
  secret: () => getConfig().rateLimitBridge?.secret,
  decide: (check) => decide(check, userIdOfSession),
  isGroup: (name): name is RouteGroup => (ROUTE_GROUPS as readonly string[]).includes(name),
});

import { problemFor } from '@/lib/api/problem';
import { z } from 'zod';
import { getConfig } from '@/lib/config';
import { ROUTE_GROUPS } from '@/lib/rate-limit/edge';
import { decide } from '@/lib/rate-limit/server';
import { sameSecret } from '@/lib/runtime/hashing';

// The Edge-runtime middleware's way to the limiter. Not rate limited itself (see routes.ts) and refused
// to anyone without the bridge secret.
export const dynamic = 'force-dynamic';

const checkSchema = z.object({
  group: z.enum(ROUTE_GROUPS),
  ip: z.string().min(1).max(100),
  sessionToken: z.string().max(200).optional(),
});

export async function POST(request: Request) {
  const bridge = getConfig().rateLimitBridge;
  const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
  if (!bridge || !sameSecret(token, bridge.secret)) {
    return problemFor(404);
  }
  const parsed = checkSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return problemFor(400, 'expected { group, ip, sessionToken? }');
  }
  const decision = await decide(parsed.data);
  return Response.json({
    allowed: decision.allowed,
    status: decision.status,
    headers: decision.headers,
    retryAfterSeconds: decision.retryAfterSeconds,
  });
}

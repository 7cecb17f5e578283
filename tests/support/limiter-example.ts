import Redis from 'ioredis';
import { clientIpFromHeaders, createRateLimiter } from '@/lib/rate-limit';

export const redis = new Redis(process.env.REDIS_URL!);
export const limiter = createRateLimiter({ redis, prefix: 'myapp:rl:', overrides: 'api=300/1m', shadow: '' });

// app/api/things/route.ts
export async function GET(request: Request) {
  const { success, limit, remaining, reset, headers } = await limiter.limit({ group: 'api', ip: clientIpFromHeaders(request.headers) });
  if (!success) return Response.json({ title: 'Too Many Requests' }, { status: 429, headers });
  return Response.json({ limit, remaining, reset }, { headers });
}

import Redis from 'ioredis';
import { createRateLimiter, type PolicyTable } from '@zigznote/ratelimit';

export const redis = new Redis(process.env.REDIS_URL!);
const policies: PolicyTable<'api' | 'login'> = {
  api: {
    group: 'api',
    onStoreFailure: 'open',
    rules: [{ name: 'api', limit: 300, windowMs: 60_000, algorithm: 'sliding-counter', identity: 'user-or-ip' }],
  },
  login: {
    group: 'login',
    onStoreFailure: 'closed',
    rules: [
      { name: 'login', limit: 5, windowMs: 15 * 60_000, algorithm: 'sliding-log', identity: 'ip+email' },
      { name: 'login-ip', limit: 30, windowMs: 15 * 60_000, algorithm: 'sliding-counter', identity: 'ip' },
    ],
  },
};
export const limiter = createRateLimiter({ redis, policies, prefix: 'myapp:rl:' });

// app/api/things/route.ts (x-real-ip: the address your proxy vouches for)
export async function GET(request: Request) {
  const ip = request.headers.get('x-real-ip') ?? 'unknown';
  const { success, limit, remaining, reset, headers } = await limiter.limit({ group: 'api', ip });
  if (!success) return Response.json({ title: 'Too Many Requests' }, { status: 429, headers });
  return Response.json({ limit, remaining, reset }, { headers });
}

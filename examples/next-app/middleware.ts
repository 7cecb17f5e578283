// The Upstash middleware example, with the import and the client changed.
import { Ratelimit } from '@zigznote/ratelimit';
import { NextResponse, type NextRequest } from 'next/server';
import { redis } from './lib/redis';

const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(5, '10 s'), prefix: 'example:ratelimit' });

export async function middleware(request: NextRequest) {
  const ip = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || '127.0.0.1';
  const { success, limit, remaining, reset } = await ratelimit.limit(ip);
  const headers = { 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': String(remaining), 'X-RateLimit-Reset': String(reset) };
  if (!success) return NextResponse.json({ error: 'Too many requests' }, { status: 429, headers });
  const response = NextResponse.next();
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = { runtime: 'nodejs', matcher: '/api/:path*' };

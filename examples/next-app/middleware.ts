// A limit on /api/hello on either runtime, with @zigznote/ratelimit/next: on Node, the limiter itself
// (lib/limits.ts, Upstash's Ratelimit with the import and the client changed); built for the Edge, which
// cannot open a Redis connection, through the bridge route app/api/limit/route.ts.
import { bridgeDecide, limitRequest, type Decide } from '@zigznote/ratelimit/next';
import type { NextRequest } from 'next/server';

let decide: Decide<'api'> | undefined;

async function decider(): Promise<Decide<'api'>> {
  if (process.env.NEXT_RUNTIME === 'nodejs') return (decide ??= (await import('./lib/limits')).decideApi);
  return (decide ??= bridgeDecide({
    url: `${process.env.LIMIT_BRIDGE_ORIGIN}/api/limit`,
    secret: process.env.LIMIT_BRIDGE_SECRET ?? '',
  }));
}

export async function middleware(request: NextRequest) {
  return limitRequest(request, {
    group: () => 'api',
    decide: await decider(),
    // Behind nginx (proxy_set_header X-Real-IP $remote_addr) this is the client's address; the tests send it.
    peerHeader: 'x-real-ip',
  });
}

export const config = {
  runtime: 'nodejs',
  matcher: '/api/hello',
};

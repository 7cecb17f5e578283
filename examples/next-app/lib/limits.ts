// Upstash's Ratelimit on our Redis, as the decision middleware and the Edge bridge act on. Node-only.
import { Ratelimit } from '@zigznote/ratelimit';
import { decisionOf, type Decide } from '@zigznote/ratelimit/next';
import { redis } from './redis';

const ratelimit = new Ratelimit({ redis, limiter: Ratelimit.slidingWindow(5, '10 s'), prefix: 'example:ratelimit' });

export const decideApi: Decide<'api'> = async ({ ip }) => decisionOf(await ratelimit.limit(ip), 'api', 10);

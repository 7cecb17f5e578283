import Redis from 'ioredis';

// Rate-limit counters survive in Redis between runs; a rerun within the window would start half-used.
export default async function globalSetup() {
  if (!process.env.REDIS_URL) throw new Error('REDIS_URL is not set: run the end-to-end tests through `npm test`');
  const redis = new Redis(process.env.REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'rl:*', 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

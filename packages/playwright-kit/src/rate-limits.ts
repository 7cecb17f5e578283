import type { Cluster, Redis } from 'ioredis';

/**
 * Forgets every hit of these identifiers under a limiter's prefix (keys `<prefix>:<identifier>` and
 * `<prefix>:<identifier>:…`, the layout of @zigznote/ratelimit), so one test's requests do not spend the
 * next one's limit. On a Cluster every primary is scanned. Answers how many keys were removed.
 */
export async function resetRateLimits(
  redis: Redis | Cluster,
  prefix: string,
  identifiers: readonly string[],
): Promise<number> {
  if (!prefix) throw new TypeError('resetRateLimits: name the limiter\'s prefix (e.g. "ratelimit")');
  const nodes = 'nodes' in redis && typeof redis.nodes === 'function' ? redis.nodes('master') : [redis as Redis];
  let removed = 0;
  for (const identifier of identifiers) {
    const exact = `${prefix}:${identifier}`;
    const pattern = `${exact.replace(/[*?[\]\\]/g, '\\$&')}:*`;
    removed += await redis.del(exact);
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        for (const key of keys) removed += await redis.del(key);
      } while (cursor !== '0');
    }
  }
  return removed;
}

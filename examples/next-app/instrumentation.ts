export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { createCacheHandlers, installCacheHandlers } = await import('@zigznote/next-cache');
  const { redis } = await import('./lib/redis');
  installCacheHandlers(createCacheHandlers({ redis, subscriber: redis.duplicate(), prefix: 'example:cache:' }));
}

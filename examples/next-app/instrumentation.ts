export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { createCacheHandlers, installCacheHandlers } = await import('@zigznote/next-cache');
  const { redis } = await import('./lib/redis');
  installCacheHandlers(createCacheHandlers({ redis, subscriber: redis.duplicate(), prefix: 'example:cache:' }));
  // The outbox's table made and its worker sending, before the first request; the upload bucket made.
  const [{ getMailer }, { ensureBucket }] = await Promise.all([import('./lib/mail'), import('./lib/storage')]);
  await Promise.all([getMailer(), ensureBucket()]);
}

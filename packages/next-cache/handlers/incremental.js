/**
 * The file next.config names in `cacheHandler` for Next's incremental cache (ISR pages, route handlers,
 * fetch). Next imports this file on its own, outside the app's bundles (and also bundles it for the Edge
 * runtime, so it imports nothing), and it forwards to the handler start-up installed (installCacheHandlers)
 * on globalThis. Before that, during `next build`, and without Redis it caches nothing.
 *
 * Keys carry the build id: a page rendered by one build names that build's scripts and server actions,
 * so another build sharing the Redis (the next release during a rolling deploy, a second app) must never
 * be served it. Replicas of one image share the id, and so the entries. The id is read through the file
 * access Next hands the handler.
 */
const installed = () => globalThis[Symbol.for('@zigznote/next-cache')]?.incremental;

const buildIds = new Map();

function buildIdOf(context) {
  const dir = context?.serverDistDir;
  if (!dir || !context.fs) return Promise.resolve('unknown-build');
  if (!buildIds.has(dir)) {
    buildIds.set(
      dir,
      Promise.resolve()
        .then(() => context.fs.readFile(`${dir}/../BUILD_ID`, 'utf8'))
        .then((id) => String(id).trim() || 'unknown-build')
        // no build output (tests): one shared namespace
        .catch(() => 'unknown-build'),
    );
  }
  return buildIds.get(dir);
}

export default class IncrementalCacheHandler {
  constructor(context) {
    this.build = buildIdOf(context);
  }

  async get(cacheKey, context) {
    const handler = installed();
    if (!handler) return null;
    return (await handler.get(`${await this.build}:${cacheKey}`, context)) ?? null;
  }

  async set(cacheKey, value, context) {
    const handler = installed();
    if (handler) await handler.set(`${await this.build}:${cacheKey}`, value, context);
  }

  async revalidateTag(tags, durations) {
    await installed()?.revalidateTag(tags, durations);
  }

  resetRequestCache() {}
}

/** Next's incremental cache handler class; forwards to the handler `installCacheHandlers` installed. */
export default class IncrementalCacheHandler {
  constructor(context?: { serverDistDir?: string; fs?: { readFile(path: string, encoding: 'utf8'): Promise<string> } });
  get(cacheKey: string, context: unknown): Promise<unknown>;
  set(cacheKey: string, value: unknown, context: unknown): Promise<void>;
  revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void>;
  resetRequestCache(): void;
}

import type { Cluster, Redis } from 'ioredis';

/** Any ioredis connection: a single node, a Sentinel-managed primary, or a Cluster. */
export type RedisClient = Redis | Cluster;

/** What `limit()` answers, with @upstash/ratelimit's fields and meanings. */
export interface RatelimitResponse {
  /** Whether the request may pass. */
  success: boolean;
  /** The limit in force for this check (a dynamic limit when one is set). */
  limit: number;
  /** Tokens left after this check. */
  remaining: number;
  /** Unix time in milliseconds when this identifier has room again (for an allowed check: the next token back). */
  reset: number;
  /** Work left running after the answer. Nothing here runs after the answer, so it is always resolved. */
  pending: Promise<unknown>;
  /**
   * Why the answer did not come from Redis: `timeout` (Redis did not answer within `timeout`; the request
   * is allowed), `cacheBlock` (refused from the in-process cache of blocked identifiers) or `denyList`.
   */
  reason?: 'timeout' | 'cacheBlock' | 'denyList';
  /** With `reason: 'denyList'`: the identifier, IP, user agent or country that is denied. */
  deniedValue?: string;
}

export interface LimitOptions {
  /** Tokens this request takes; a negative rate gives tokens back. @default 1 */
  rate?: number;
  /** Checked against the deny list when `enableProtection` is on. @default none */
  ip?: string;
  /** Checked against the deny list when `enableProtection` is on. @default none */
  userAgent?: string;
  /** Checked against the deny list when `enableProtection` is on. @default none */
  country?: string;
  /** Accepted for @upstash/ratelimit compatibility (its analytics); not used. @default none */
  geo?: { ip?: string; city?: string; country?: string; region?: string };
}

/** What each algorithm does on Redis; the `Ratelimit` class adds caching, deny list and timeout around it. */
export interface AlgorithmContext {
  redis: RedisClient;
  /** The identifier's key: prefix + ":" + identifier. */
  key: string;
  /** Milliseconds on the shared clock (Redis's, sampled). */
  now: number;
  /** The limit in force (the algorithm's own, or the dynamic one). */
  limit: number;
  /** Unique among every process's hits (a sliding log stores one member per token). */
  nextMember(): string;
}

export interface Algorithm {
  readonly kind: 'slidingWindow' | 'fixedWindow' | 'tokenBucket';
  /** The configured limit: tokens per window, or the bucket's size. */
  readonly tokens: number;
  limit(ctx: AlgorithmContext, rate: number): Promise<Omit<RatelimitResponse, 'pending' | 'reason' | 'deniedValue'>>;
  getRemaining(ctx: AlgorithmContext): Promise<{ remaining: number; reset: number; limit: number }>;
  /** Every key this algorithm keeps for the identifier. */
  keysOf(key: string, now: number): string[];
}

/**
 * `Ratelimit`: @upstash/ratelimit's class on your own ioredis client. Same constructor options, same
 * methods, same answers (`success`, `limit`, `remaining`, `reset`, `pending`, `reason`), so code written for
 * Upstash runs with its import and its Redis client changed. What it guarantees beyond Upstash: an exact
 * sliding window, one clock for every instance (Redis's), a refused request that keeps nothing, and
 * misuse refused at construction with a sentence that says what to pass.
 */
import { fixedWindow, slidingWindow, tokenBucket } from './algorithms.js';
import { RedisClock } from './clock.js';
import type { Duration } from './duration.js';
import { DenyList } from './deny-list.js';
import type { Algorithm, LimitOptions, RatelimitResponse, RedisClient } from './types.js';

export interface RatelimitConfig {
  /** Your ioredis client: `new Redis(url)`, a Sentinel client, or a `Cluster`. It is used, never closed. */
  redis: RedisClient;
  /** `Ratelimit.slidingWindow(10, '10 s')`, `Ratelimit.fixedWindow(…)` or `Ratelimit.tokenBucket(…)`. */
  limiter: Algorithm;
  /**
   * Start of every key written, followed by ":" and the identifier.
   * @default "ratelimit"
   */
  prefix?: string;
  /**
   * Milliseconds to wait for Redis; when it has not answered by then the request is allowed with
   * `reason: 'timeout'` (Upstash's behaviour). 0 waits for ever.
   * @default 5000
   */
  timeout?: number;
  /**
   * Identifiers over their limit, kept in this process until their reset and refused without asking
   * Redis (`reason: 'cacheBlock'`). Pass your own Map to share it, or `false` to turn it off.
   * @default a new Map per instance
   */
  ephemeralCache?: Map<string, number> | false;
  /**
   * Read a limit set at run time with `setDynamicLimit()`: one GET before each check (a second round trip;
   * the check needs the limit, and the key lives in a slot of its own on a Cluster).
   * @default false
   */
  dynamicLimits?: boolean;
  /**
   * Refuse identifiers, IPs, user agents and countries on the deny list (`ratelimit.denyList`) with
   * `reason: 'denyList'`. One SMISMEMBER per check, in parallel with it.
   * @default false
   */
  enableProtection?: boolean;
  /**
   * How long this process keeps refusing a value it found on the deny list without asking Redis again.
   * @default 60000
   */
  denyListCacheMs?: number;
  /** Accepted so Upstash code compiles unchanged; records nothing (Upstash's analytics are its console's). @default false */
  analytics?: boolean;
  /** Accepted so Upstash code compiles unchanged; belongs to Upstash's hosted IP lists, not used. @default 6 */
  denyListThreshold?: number;
}

const DEFAULT_PREFIX = 'ratelimit';
const DEFAULT_TIMEOUT_MS = 5_000;
// Beyond this many blocked identifiers, expired ones are swept before another is added.
const EPHEMERAL_SWEEP_AT = 10_000;

function assertIoredis(redis: unknown): asserts redis is RedisClient {
  const client = redis as { multi?: unknown; defineCommand?: unknown } | undefined;
  if (!client || typeof client.multi !== 'function' || typeof client.defineCommand !== 'function') {
    throw new TypeError(
      'Ratelimit: `redis` must be an ioredis client (new Redis(url), new Redis({ sentinels, name }) or new Cluster(nodes)); ' +
        (client
          ? 'the value given is not one (an @upstash/redis REST client is not: this package talks to your own Redis)'
          : 'none was given'),
    );
  }
}

export class Ratelimit {
  static slidingWindow(tokens: number, window: Duration): Algorithm {
    return slidingWindow(tokens, window);
  }

  static fixedWindow(tokens: number, window: Duration): Algorithm {
    return fixedWindow(tokens, window);
  }

  static tokenBucket(refillRate: number, interval: Duration, maxTokens: number): Algorithm {
    return tokenBucket(refillRate, interval, maxTokens);
  }

  /** The deny list `enableProtection` checks: identifiers, IPs, user agents and countries, in Redis. */
  readonly denyList: DenyList;

  private readonly redis: RedisClient;
  private readonly limiter: Algorithm;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly blocked: Map<string, number> | undefined;
  private readonly dynamicLimits: boolean;
  private readonly enableProtection: boolean;
  private readonly clock: RedisClock;
  private readonly memberPrefix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
  private sequence = 0;

  constructor(config: RatelimitConfig) {
    if (!config || typeof config !== 'object') throw new TypeError('Ratelimit: pass { redis, limiter }');
    assertIoredis(config.redis);
    const limiter = config.limiter as Partial<Algorithm> | undefined;
    if (!limiter || typeof limiter.limit !== 'function') {
      throw new TypeError(
        "Ratelimit: `limiter` is missing: pass Ratelimit.slidingWindow(10, '10 s'), Ratelimit.fixedWindow(…) or Ratelimit.tokenBucket(…)",
      );
    }
    const prefix = config.prefix ?? DEFAULT_PREFIX;
    if (typeof prefix !== 'string' || prefix === '')
      throw new TypeError('Ratelimit: `prefix` must be a non-empty string');
    const timeout = config.timeout ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout < 0)
      throw new RangeError(`Ratelimit: \`timeout\` is milliseconds (0 or more), got ${String(config.timeout)}`);
    this.redis = config.redis;
    this.limiter = config.limiter;
    this.prefix = prefix;
    this.timeoutMs = timeout;
    this.blocked = config.ephemeralCache === false ? undefined : (config.ephemeralCache ?? new Map());
    this.dynamicLimits = config.dynamicLimits ?? false;
    this.enableProtection = config.enableProtection ?? false;
    this.clock = new RedisClock(this.redis);
    this.denyList = new DenyList(this.redis, `${prefix}:denyList:all`, config.denyListCacheMs ?? 60_000);
  }

  /**
   * Counts a request of `identifier` and says whether it may pass. `rate` takes that many tokens (a
   * negative rate gives them back); with `enableProtection`, `ip`, `userAgent` and `country` are checked
   * against the deny list too.
   */
  limit = async (identifier: string, request: LimitOptions = {}): Promise<RatelimitResponse> => {
    const key = this.keyOf(identifier);
    const rate = request.rate ?? 1;
    if (!Number.isSafeInteger(rate))
      throw new RangeError(`Ratelimit.limit: \`rate\` must be a whole number, got ${String(request.rate)}`);
    const candidates = [identifier, request.ip, request.userAgent, request.country].filter(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    const deniedNow = this.enableProtection ? this.denyList.cachedDenial(candidates) : undefined;
    if (deniedNow) return denied(deniedNow);
    const blockedUntil = this.blocked?.get(key);
    if (rate > 0 && blockedUntil !== undefined) {
      if (blockedUntil > this.clock.peek()) {
        return {
          success: false,
          limit: this.limiter.tokens,
          remaining: 0,
          reset: blockedUntil,
          pending: Promise.resolve(),
          reason: 'cacheBlock',
        };
      }
      this.blocked!.delete(key);
    }
    return this.withTimeout(async () => {
      const [result, deniedValue] = await Promise.all([
        this.clock
          .now()
          .then(async (now) =>
            this.limiter.limit({ ...this.context(key, now), limit: await this.limitInForce() }, rate),
          ),
        this.enableProtection ? this.denyList.firstDenied(candidates) : undefined,
      ]);
      if (deniedValue) return denied(deniedValue, result.limit);
      // Only a single token's refusal with nothing left says when the next request may pass.
      if (!result.success && rate === 1 && result.remaining === 0) this.block(key, result.reset);
      if (rate < 0) this.blocked?.delete(key);
      return { ...result, pending: Promise.resolve() };
    });
  };

  /**
   * Waits until `identifier` may pass or `timeoutMs` has gone by, whichever is first; answers the last check.
   */
  blockUntilReady = async (identifier: string, timeoutMs: number): Promise<RatelimitResponse> => {
    if (!(timeoutMs > 0)) throw new RangeError('Ratelimit.blockUntilReady: the timeout must be positive milliseconds');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await this.limit(identifier);
      if (response.success || response.reason === 'denyList') return response;
      const wait = Math.min(response.reset, deadline) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (Date.now() >= deadline) return this.limit(identifier);
    }
  };

  /** Tokens left for `identifier` without taking one, and when it has room again. */
  getRemaining = async (identifier: string): Promise<{ remaining: number; reset: number; limit: number }> => {
    const key = this.keyOf(identifier);
    const now = await this.clock.now();
    return this.limiter.getRemaining({ ...this.context(key, now), limit: await this.limitInForce() });
  };

  /** Forgets every hit of `identifier`, in Redis and in this process's cache of blocked identifiers. */
  resetUsedTokens = async (identifier: string): Promise<void> => {
    const key = this.keyOf(identifier);
    this.blocked?.delete(key);
    await this.redis.del(...this.limiter.keysOf(key, await this.clock.now()));
  };

  /** Replaces the algorithm's limit on every instance at once (`false` goes back to it). Needs `dynamicLimits`. */
  setDynamicLimit = async ({ limit }: { limit: number | false }): Promise<void> => {
    const key = this.dynamicLimitKey();
    if (limit === false) {
      await this.redis.del(key);
      return;
    }
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new RangeError(
        `Ratelimit.setDynamicLimit: the limit must be a whole number of at least 1, or false; got ${String(limit)}`,
      );
    await this.redis.set(key, limit);
  };

  getDynamicLimit = async (): Promise<{ dynamicLimit: number | null }> => {
    const value = await this.redis.get(this.dynamicLimitKey());
    return { dynamicLimit: value === null ? null : Number(value) };
  };

  private keyOf(identifier: string): string {
    if (typeof identifier !== 'string' || identifier === '')
      throw new TypeError('Ratelimit: the identifier must be a non-empty string (a user id, an IP, an API key)');
    return `${this.prefix}:${identifier}`;
  }

  private context(key: string, now: number) {
    return { redis: this.redis, key, now, nextMember: () => this.memberPrefix + (this.sequence++).toString(36) };
  }

  private dynamicLimitKey(): string {
    if (!this.dynamicLimits)
      throw new Error(
        'dynamicLimits must be enabled in the Ratelimit constructor to use setDynamicLimit() or getDynamicLimit()',
      );
    return `${this.prefix}:dynamic:global`;
  }

  private async limitInForce(): Promise<number> {
    if (!this.dynamicLimits) return this.limiter.tokens;
    const value = await this.redis.get(this.dynamicLimitKey());
    const dynamic = value === null ? NaN : Number(value);
    return Number.isSafeInteger(dynamic) && dynamic >= 1 ? dynamic : this.limiter.tokens;
  }

  private block(key: string, until: number): void {
    if (!this.blocked) return;
    if (this.blocked.size >= EPHEMERAL_SWEEP_AT) {
      const now = this.clock.peek();
      for (const [blockedKey, reset] of this.blocked) if (reset <= now) this.blocked.delete(blockedKey);
    }
    this.blocked.set(key, until);
  }

  private async withTimeout(check: () => Promise<RatelimitResponse>): Promise<RatelimitResponse> {
    const answer = check();
    if (this.timeoutMs === 0) return answer;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<RatelimitResponse>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({ success: true, limit: 0, remaining: 0, reset: 0, pending: Promise.resolve(), reason: 'timeout' }),
        this.timeoutMs,
      );
    });
    // The late answer is dropped; its failure must not surface as an unhandled rejection.
    answer.catch(() => undefined);
    try {
      return await Promise.race([answer, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function denied(value: string, limit = 0): RatelimitResponse {
  return {
    success: false,
    limit,
    remaining: 0,
    reset: 0,
    pending: Promise.resolve(),
    reason: 'denyList',
    deniedValue: value,
  };
}

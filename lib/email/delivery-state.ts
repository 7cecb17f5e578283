/**
 * What the outbox worker shares across instances besides the outbox itself: the send-rate budget (a
 * token bucket on Redis; in-process without Redis, in development) and the suppression list fed by
 * bounces and complaints, in Postgres, so losing Redis never lets a bounced address be mailed again.
 * Node-only.
 */
import { sql } from 'drizzle-orm';
import { emailSuppressions, type Database } from '../db';
import type { RedisConnection } from '../redis';

export interface DeliveryState {
  /** Takes one send from the shared budget of `perSecond`; answers how long to wait first (0: go). */
  takeToken(perSecond: number): Promise<number>;
  isSuppressed(email: string): Promise<boolean>;
  suppress(email: string, reason: string): Promise<void>;
}

const BUCKET = 'email:send-rate';

// Refill by elapsed Redis time, take one token if there is one, else say when the next one arrives.
const TAKE_TOKEN_LUA = `
local rate = tonumber(ARGV[1])
local capacity = math.max(rate, 1)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

export function normalizeAddress(email: string): string {
  return email.trim().toLowerCase();
}

/** The suppression list in Postgres. */
export class DatabaseSuppressionList implements Pick<DeliveryState, 'isSuppressed' | 'suppress'> {
  constructor(private readonly database: () => Promise<Database>) {}

  async isSuppressed(email: string): Promise<boolean> {
    const db = await this.database();
    const rows = await db
      .select({ email: emailSuppressions.email })
      .from(emailSuppressions)
      .where(sql`${emailSuppressions.email} = ${normalizeAddress(email)}`)
      .limit(1);
    return rows.length > 0;
  }

  async suppress(email: string, reason: string): Promise<void> {
    const db = await this.database();
    // A complaint after a bounce (or the reverse) keeps the first reason: the address stays suppressed.
    await db
      .insert(emailSuppressions)
      .values({ email: normalizeAddress(email), reason })
      .onConflictDoNothing();
  }
}

export class RedisDeliveryState implements DeliveryState {
  constructor(
    private readonly redis: RedisConnection,
    private readonly suppressions: Pick<DeliveryState, 'isSuppressed' | 'suppress'>,
  ) {
    if (typeof (redis as unknown as Record<string, unknown>).zigznoteTakeEmailToken !== 'function') {
      redis.defineCommand('zigznoteTakeEmailToken', { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
    }
  }

  async takeToken(perSecond: number): Promise<number> {
    const take = (this.redis as unknown as { zigznoteTakeEmailToken: (key: string, rate: number) => Promise<number> }).zigznoteTakeEmailToken;
    return Number(await take.call(this.redis, BUCKET, perSecond));
  }

  isSuppressed(email: string): Promise<boolean> {
    return this.suppressions.isSuppressed(email);
  }

  suppress(email: string, reason: string): Promise<void> {
    return this.suppressions.suppress(email, reason);
  }
}

/** Everything in process memory (tests and tools). */
export class MemoryDeliveryState implements DeliveryState {
  private readonly suppressed = new Map<string, string>();
  private tokens: number | undefined;
  private tokensAt: number;

  /** `now` is the clock the budget refills by (tests pass their own). */
  constructor(private readonly now: () => number = Date.now) {
    this.tokensAt = now();
  }

  async takeToken(perSecond: number): Promise<number> {
    const capacity = Math.max(perSecond, 1);
    const now = this.now();
    this.tokens = Math.min(capacity, (this.tokens ?? capacity) + ((now - this.tokensAt) * perSecond) / 1000);
    this.tokensAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / perSecond);
  }

  async isSuppressed(email: string): Promise<boolean> {
    return this.suppressed.has(normalizeAddress(email));
  }

  async suppress(email: string, reason: string): Promise<void> {
    this.suppressed.set(normalizeAddress(email), reason);
  }
}

/** The send rate in process memory, the suppression list where it is given (development without Redis). */
export class RateOnlyMemoryState extends MemoryDeliveryState {
  constructor(private readonly suppressions: Pick<DeliveryState, 'isSuppressed' | 'suppress'>) {
    super();
  }

  override isSuppressed(email: string): Promise<boolean> {
    return this.suppressions.isSuppressed(email);
  }

  override suppress(email: string, reason: string): Promise<void> {
    return this.suppressions.suppress(email, reason);
  }
}

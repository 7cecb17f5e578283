/**
 * What delivery remembers across attempts and instances: which logical emails were sent (idempotency
 * keys), the shared send-rate budget (a token bucket), and the suppression list fed by bounces and
 * complaints. Idempotency and the budget are on Redis in production (in-process without Redis, in
 * development); the suppression list is in Postgres, so losing Redis never lets a bounced address be
 * mailed again. Node-only.
 */
import { sql } from 'drizzle-orm';
import { emailSuppressions, type Database } from '../db';
import type { RedisConnection } from '../redis';

export type Claim = 'claimed' | 'sent' | 'in-flight';

export interface DeliveryState {
  /** Takes the right to send this logical email, unless it was sent or is being sent. */
  claim(key: string, ttlSeconds: number): Promise<Claim>;
  markSent(key: string, ttlSeconds: number): Promise<void>;
  release(key: string): Promise<void>;
  /** Takes one send from the shared budget of `perSecond`; answers how long to wait first (0: go). */
  takeToken(perSecond: number): Promise<number>;
  isSuppressed(email: string): Promise<boolean>;
  suppress(email: string, reason: string): Promise<void>;
}

const IDEMPOTENCY = (key: string) => `email:sent:${key}`;
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
    const rows = await db.select({ email: emailSuppressions.email }).from(emailSuppressions).where(sql`${emailSuppressions.email} = ${normalizeAddress(email)}`).limit(1);
    return rows.length > 0;
  }

  async suppress(email: string, reason: string): Promise<void> {
    const db = await this.database();
    // A complaint after a bounce (or the reverse) keeps the first reason: the address stays suppressed.
    await db.insert(emailSuppressions).values({ email: normalizeAddress(email), reason }).onConflictDoNothing();
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

  async claim(key: string, ttlSeconds: number): Promise<Claim> {
    const taken = await this.redis.set(IDEMPOTENCY(key), 'sending', 'EX', ttlSeconds, 'NX');
    if (taken === 'OK') return 'claimed';
    return (await this.redis.get(IDEMPOTENCY(key))) === 'sent' ? 'sent' : 'in-flight';
  }

  async markSent(key: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(IDEMPOTENCY(key), 'sent', 'EX', ttlSeconds);
  }

  async release(key: string): Promise<void> {
    await this.redis.del(IDEMPOTENCY(key));
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

export class MemoryDeliveryState implements DeliveryState {
  private readonly keys = new Map<string, { value: 'sending' | 'sent'; expiresAt: number }>();
  private readonly suppressed = new Map<string, string>();
  private tokens: number | undefined;
  private tokensAt = Date.now();

  async claim(key: string, ttlSeconds: number): Promise<Claim> {
    const existing = this.keys.get(key);
    if (existing && existing.expiresAt > Date.now()) return existing.value === 'sent' ? 'sent' : 'in-flight';
    this.keys.set(key, { value: 'sending', expiresAt: Date.now() + ttlSeconds * 1000 });
    return 'claimed';
  }

  async markSent(key: string, ttlSeconds: number): Promise<void> {
    this.keys.set(key, { value: 'sent', expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  async release(key: string): Promise<void> {
    this.keys.delete(key);
  }

  async takeToken(perSecond: number): Promise<number> {
    const capacity = Math.max(perSecond, 1);
    const now = Date.now();
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

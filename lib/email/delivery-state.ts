/**
 * What delivery remembers across attempts and instances: which logical emails were sent (idempotency
 * keys), the shared send-rate budget (a token bucket), and the suppression list fed by bounces and
 * complaints. On Redis in production; in-process when the app runs without Redis (development).
 * Node-only.
 */
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
const SUPPRESSED = 'email:suppressed';
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

export class RedisDeliveryState implements DeliveryState {
  constructor(private readonly redis: RedisConnection) {
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

  async isSuppressed(email: string): Promise<boolean> {
    return (await this.redis.hexists(SUPPRESSED, normalizeAddress(email))) === 1;
  }

  async suppress(email: string, reason: string): Promise<void> {
    await this.redis.hset(SUPPRESSED, normalizeAddress(email), JSON.stringify({ reason, at: new Date().toISOString() }));
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

/**
 * The SES send rate shared by every instance: a token bucket in Redis, refilled by Redis's own clock (one
 * script, so no two instances take the same token), or in process memory for a single process. SES
 * throttling is retried anyway; the budget keeps the outbox from causing it.
 */
export interface SendRate {
  /** Takes one send from the shared budget of `perSecond`; answers how long to wait first (0: go). */
  takeToken(perSecond: number): Promise<number>;
}

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

/** The part of an ioredis client (single, Sentinel or Cluster) this uses. */
export interface ScriptingRedis {
  defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
}

export interface RedisSendRateOptions {
  /** @default 'email:send-rate' */
  key?: string;
  /** The name the script is defined under on the client. @default 'takeEmailSendToken' */
  scriptName?: string;
}

export class RedisSendRate implements SendRate {
  private readonly key: string;
  private readonly scriptName: string;

  constructor(
    private readonly redis: ScriptingRedis,
    options: RedisSendRateOptions = {},
  ) {
    if (typeof redis?.defineCommand !== 'function')
      throw new TypeError('RedisSendRate needs an ioredis client (new Redis(url) or new Cluster(nodes))');
    this.key = options.key ?? 'email:send-rate';
    this.scriptName = options.scriptName ?? 'takeEmailSendToken';
    if (typeof (redis as unknown as Record<string, unknown>)[this.scriptName] !== 'function') {
      redis.defineCommand(this.scriptName, { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
    }
  }

  async takeToken(perSecond: number): Promise<number> {
    const take = (this.redis as unknown as Record<string, (key: string, rate: number) => Promise<number>>)[
      this.scriptName
    ]!;
    return Number(await take.call(this.redis, this.key, perSecond));
  }
}

export class MemorySendRate implements SendRate {
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
}

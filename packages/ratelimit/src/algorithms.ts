/**
 * The three algorithms of @upstash/ratelimit on Redis. Each check is one round trip and atomic (one Lua
 * script, or a MULTI transaction for the fixed window), so no more than `tokens` ever pass, however many
 * instances ask at once. The sliding window is exact: a log of hits per identifier, not Upstash's weighted
 * estimate over two fixed windows, so no burst straddling two windows gets more than `tokens` through. A
 * refused request takes nothing (the fixed window counts it, as Upstash's does: the window resets it).
 */
import { ms, type Duration } from './duration.js';
import { execTransaction, runScript, script } from './redis-reply.js';
import type { Algorithm, AlgorithmContext } from './types.js';

function assertTokens(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${what} must be a whole number of at least 1, got ${String(value)}`);
}

/** The score of the one member a WITHSCORES read returned: flat `[member, score]` on RESP2, `[[member, score]]` on RESP3. */
function score(reply: unknown): number | undefined {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  const pair: unknown = Array.isArray(reply[0]) ? reply[0] : reply;
  return Array.isArray(pair) && pair.length >= 2 ? Number(pair[1]) : undefined;
}

// One script, one command per check: Redis runs it alone, so the count it reads is the count it adds to,
// and a refused request adds nothing. A MULTI of the same commands costs Redis about as much but sends
// six commands and six replies, which is what bounds checks per second on one connection (bench/). The
// hits are whole milliseconds on the shared clock; the window's start is formatted as an integer, since
// Redis's Lua prints 14 significant digits otherwise. Answers: allowed (1/0), hits in the window after
// the check, and the score of the hit whose leaving gives the next token (allowed) or makes room for
// this rate (refused).
const SLIDING_LOG = script(`
local key = KEYS[1]
local now = ARGV[1]
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', tonumber(now) - window))
local used = redis.call('ZCARD', key)
if rate <= 0 then
  if rate < 0 then
    redis.call('ZPOPMAX', key, -rate)
    used = redis.call('ZCARD', key)
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {(rate < 0 or used < limit) and 1 or 0, used, oldest[2] or false}
end
if used + rate > limit then
  local blocker = false
  if rate <= limit then blocker = redis.call('ZRANGE', key, used + rate - limit - 1, used + rate - limit - 1, 'WITHSCORES')[2] or false end
  return {0, used, blocker}
end
if rate == 1 then
  redis.call('ZADD', key, now, ARGV[5])
else
  local hits = {}
  for i = 1, rate do
    hits[#hits + 1] = now
    hits[#hits + 1] = ARGV[5] .. '.' .. i
  end
  redis.call('ZADD', key, unpack(hits))
end
redis.call('PEXPIRE', key, window)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {1, used + rate, oldest[2]}
`);

export function slidingWindow(tokens: number, window: Duration): Algorithm {
  assertTokens(tokens, 'Ratelimit.slidingWindow: tokens');
  const windowMs = ms(window, 'Ratelimit.slidingWindow: window');
  return {
    kind: 'slidingWindow',
    tokens,
    keysOf: (key) => [key],
    async limit({ redis, key, now, limit, nextMember }: AlgorithmContext, rate: number) {
      const [allowed, used, blocker] = (await runScript(
        redis,
        SLIDING_LOG,
        [key],
        [Math.floor(now), windowMs, limit, rate, nextMember()],
      )) as [number, number, string | null];
      // A request larger than the limit never fits: its reset is a window away, whatever it waits for.
      const reset = blocker == null ? now + windowMs : Number(blocker) + windowMs;
      return { success: allowed === 1, limit, remaining: Math.max(0, limit - used), reset };
    },
    async getRemaining({ redis, key, now, limit }: AlgorithmContext) {
      const since = `(${Math.floor(now) - windowMs}`;
      const [count, oldest] = await execTransaction(
        redis.multi().zcount(key, since, '+inf').zrangebyscore(key, since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
      );
      const first = score(oldest);
      return {
        remaining: Math.max(0, limit - Number(count)),
        reset: first === undefined ? now : first + windowMs,
        limit,
      };
    },
  };
}

export function fixedWindow(tokens: number, window: Duration): Algorithm {
  assertTokens(tokens, 'Ratelimit.fixedWindow: tokens');
  const windowMs = ms(window, 'Ratelimit.fixedWindow: window');
  const windowOf = (key: string, now: number) => {
    const bucket = Math.floor(now / windowMs);
    return { bucketKey: `${key}:${bucket}`, reset: (bucket + 1) * windowMs };
  };
  return {
    kind: 'fixedWindow',
    tokens,
    keysOf: (key, now) => [windowOf(key, now).bucketKey],
    async limit({ redis, key, now, limit }: AlgorithmContext, rate: number) {
      const { bucketKey, reset } = windowOf(key, now);
      // As Upstash counts it: every hit of the window, refused ones included (the window resets them all).
      const [used] = await execTransaction(
        redis
          .multi()
          .incrby(bucketKey, rate)
          .pexpireat(bucketKey, reset + 1_000),
      );
      const count = Number(used);
      return { success: rate < 0 || count <= limit, limit, remaining: Math.max(0, limit - count), reset };
    },
    async getRemaining({ redis, key, now, limit }: AlgorithmContext) {
      const { bucketKey, reset } = windowOf(key, now);
      return { remaining: Math.max(0, limit - Number((await redis.get(bucketKey)) ?? 0)), reset, limit };
    },
  };
}

// Refills whole `refillRate`s at each `interval` since the last refill, up to the size. A request asking for
// more tokens than are left takes none (Upstash's script stores a negative count then). The key expires when
// the bucket would be full again, which is the state of a missing key. Numbers are formatted as integers:
// Redis's Lua prints 14 significant digits otherwise.
const TOKEN_BUCKET = script(`
local size = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local refillRate = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local rate = tonumber(ARGV[5])
local bucket = redis.call('HMGET', KEYS[1], 'refilledAt', 'tokens')
local refilledAt = now
local tokens = size
if bucket[1] then
  refilledAt = tonumber(bucket[1])
  tokens = tonumber(bucket[2])
end
if now >= refilledAt + interval then
  local refills = math.floor((now - refilledAt) / interval)
  tokens = math.min(size, tokens + refills * refillRate)
  refilledAt = refilledAt + refills * interval
end
if rate > 0 and tokens < rate then
  return {0, tokens, string.format('%.0f', refilledAt + math.ceil((rate - tokens) / refillRate) * interval)}
end
if rate == 0 then
  return {tokens > 0 and 1 or 0, tokens, string.format('%.0f', refilledAt + interval)}
end
local remaining = math.min(size, tokens - rate)
local fullAt = refilledAt + math.ceil((size - remaining) / refillRate) * interval
if fullAt <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'refilledAt', string.format('%.0f', refilledAt), 'tokens', remaining)
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', fullAt - now))
end
return {1, remaining, string.format('%.0f', refilledAt + interval)}
`);

export function tokenBucket(refillRate: number, interval: Duration, maxTokens: number): Algorithm {
  assertTokens(refillRate, 'Ratelimit.tokenBucket: refillRate');
  assertTokens(maxTokens, 'Ratelimit.tokenBucket: maxTokens');
  const intervalMs = ms(interval, 'Ratelimit.tokenBucket: interval');
  return {
    kind: 'tokenBucket',
    tokens: maxTokens,
    keysOf: (key) => [key],
    async limit({ redis, key, now, limit }: AlgorithmContext, rate: number) {
      const reply = (await runScript(redis, TOKEN_BUCKET, [key], [limit, intervalMs, refillRate, now, rate])) as [
        number,
        number,
        string,
      ];
      return { success: reply[0] === 1, limit, remaining: Math.max(0, Number(reply[1])), reset: Number(reply[2]) };
    },
    async getRemaining({ redis, key, now, limit }: AlgorithmContext) {
      const [refilledAtText, tokensText] = await redis.hmget(key, 'refilledAt', 'tokens');
      if (refilledAtText == null || tokensText == null) return { remaining: limit, reset: now + intervalMs, limit };
      const refilledAt = Number(refilledAtText);
      const refills = Math.max(0, Math.floor((now - refilledAt) / intervalMs));
      return {
        remaining: Math.min(limit, Number(tokensText) + refills * refillRate),
        reset: refilledAt + (refills + 1) * intervalMs,
        limit,
      };
    },
  };
}

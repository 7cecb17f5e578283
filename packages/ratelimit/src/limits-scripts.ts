/**
 * The one Lua script of the limiter: refunds, which must not count below zero (a check is a plain
 * MULTI/EXEC, see store-redis.ts). Edge-safe (a plain string).
 *
 * KEYS[i]: limit i's key (a sliding log's sorted set, or a counter's current-window key).
 * ARGV: n, then for each limit: "log" | "counter", cost. A log loses its `cost` newest hits; a counter's
 * current window loses `cost` hits (an earlier window's are only weighted, and stay).
 */
export const REFUND_LIMITS_LUA = `
local n = tonumber(ARGV[1])
for i = 1, n do
  local cost = tonumber(ARGV[1 + i * 2])
  if ARGV[i * 2] == 'log' then
    redis.call('ZPOPMAX', KEYS[i], cost)
  else
    local count = tonumber(redis.call('GET', KEYS[i]))
    if count then redis.call('SET', KEYS[i], math.max(count - cost, 0), 'KEEPTTL') end
  end
end
return n
`;

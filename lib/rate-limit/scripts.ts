/**
 * The Lua script behind every Redis check. One EVALSHA evaluates all the limits of a request together:
 * first it measures each one, and only if every limit has room does it record the hit in all of them, so a
 * rejected request consumes nothing. Time comes from Redis (TIME), one clock for every app instance.
 * Edge-safe (plain strings).
 *
 * KEYS[i]: the key of limit i (all keys of one check share a hash tag, so Redis Cluster accepts them).
 * ARGV: n, then for each limit: algorithm ("log" | "counter"), limit, window in ms, cost (0 looks without
 * consuming: it fits only where one more hit would).
 * Returns: { allowed (1|0), then per limit: remaining, resetMs (whole milliseconds) }.
 *
 * "log" is the exact sliding window: a sorted set of hit times (score in ms, member unique per hit: the
 *   microsecond from TIME's digits and the count, suffixed when taken, so no hit overwrites another).
 *   reset = when the oldest hit that must leave for this request to fit leaves the window.
 * "counter" is the O(1)-memory sliding-window counter: counts of the current and previous fixed window,
 *   the previous weighted by how much of it still overlaps the sliding window.
 */
export const CHECK_LIMITS_LUA = `
local n = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = (tonumber(t[1]) * 1000000 + tonumber(t[2])) / 1000
-- Members are built from TIME's own digits: a number would print with 14 significant digits (100 us).
local stamp = t[1] .. string.format('%06d', tonumber(t[2]))
local allowed = 1
local state = {}

for i = 1, n do
  local base = 1 + (i - 1) * 4
  local algorithm = ARGV[base + 1]
  local limit = tonumber(ARGV[base + 2])
  local window = tonumber(ARGV[base + 3])
  local cost = tonumber(ARGV[base + 4])
  -- a look (cost 0) fits only where one more hit would
  local need = math.max(cost, 1)
  local key = KEYS[i]
  local s = { algorithm = algorithm, limit = limit, window = window, cost = cost }

  if algorithm == 'log' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    local count = redis.call('ZCARD', key)
    s.count = count
    if count + need > limit then
      allowed = 0
      -- the hit whose leaving makes room: the (count - limit + need)-th oldest
      local index = math.max(count - limit + need - 1, 0)
      local entry = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
      if entry[2] then s.reset = tonumber(entry[2]) + window - now else s.reset = window end
    end
  else
    local index = math.floor(now / window)
    local elapsed = now - index * window
    local stored = redis.call('HMGET', key, 'w', 'c', 'p')
    local current, previous = 0, 0
    if stored[1] then
      local w = tonumber(stored[1])
      if w == index then
        current = tonumber(stored[2]) or 0
        previous = tonumber(stored[3]) or 0
      elseif w == index - 1 then
        previous = tonumber(stored[2]) or 0
      end
    end
    local weight = (window - elapsed) / window
    local estimate = previous * weight + current
    s.index, s.elapsed, s.current, s.previous = index, elapsed, current, previous
    if estimate + need > limit then
      allowed = 0
      local room = limit - need
      if current <= room and previous > 0 then
        s.reset = window * (1 - (room - current) / previous) - elapsed
      elseif room > 0 and current > 0 then
        s.reset = (window - elapsed) + window * (1 - room / current)
      else
        s.reset = (window - elapsed) + window
      end
    end
  end
  state[i] = s
end

local result = { allowed }
for i = 1, n do
  local s = state[i]
  local key = KEYS[i]
  local remaining, reset
  if s.algorithm == 'log' then
    local count = s.count
    if allowed == 1 and s.cost > 0 then
      for c = 1, s.cost do
        -- Unique per hit even when two checks share a microsecond: a taken member gets a suffix.
        local member = stamp .. ':' .. (count + c)
        local suffix = 0
        while redis.call('ZADD', key, 'NX', now, member) == 0 do
          suffix = suffix + 1
          member = stamp .. ':' .. (count + c) .. ':' .. suffix
        end
      end
      redis.call('PEXPIRE', key, math.ceil(s.window))
      count = count + s.cost
    end
    remaining = math.max(s.limit - count, 0)
    if s.reset then reset = s.reset
    elseif s.count == 0 then
      -- the oldest counted hit is this one, or there is none
      if count > 0 then reset = s.window else reset = 0 end
    else
      local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      reset = tonumber(oldest[2]) + s.window - now
    end
  else
    local current = s.current
    if allowed == 1 and s.cost > 0 then
      current = current + s.cost
      redis.call('HSET', key, 'w', s.index, 'c', current, 'p', s.previous)
      redis.call('PEXPIRE', key, math.ceil(s.window * 2))
    end
    local estimate = s.previous * ((s.window - s.elapsed) / s.window) + current
    remaining = math.max(math.floor(s.limit - estimate), 0)
    if s.reset then reset = s.reset else reset = s.window - s.elapsed end
  end
  result[#result + 1] = remaining
  result[#result + 1] = math.floor(math.max(reset, 0) + 0.5)
end
return result
`;

/**
 * Gives hits back, atomically for all the limits of a check. KEYS[i]: the key of limit i. ARGV: n, then
 * for each limit: algorithm, window in ms, cost. "log" removes its newest `cost` hits; "counter" takes
 * `cost` off the current window's count (a hit of an earlier window is only weighted, and stays).
 */
export const REFUND_LIMITS_LUA = `
local n = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = (tonumber(t[1]) * 1000000 + tonumber(t[2])) / 1000
for i = 1, n do
  local base = 1 + (i - 1) * 3
  local window = tonumber(ARGV[base + 2])
  local cost = tonumber(ARGV[base + 3])
  if ARGV[base + 1] == 'log' then
    redis.call('ZPOPMAX', KEYS[i], cost)
  else
    local stored = redis.call('HMGET', KEYS[i], 'w', 'c')
    if stored[1] and tonumber(stored[1]) == math.floor(now / window) then
      redis.call('HSET', KEYS[i], 'c', math.max((tonumber(stored[2]) or 0) - cost, 0))
    end
  end
end
return n
`;

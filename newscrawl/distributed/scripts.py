"""The frontier's atomic steps, as Lua scripts run inside Redis.

Times are Redis server time in milliseconds, so that workers with skewed clocks agree
on when a lease or a heartbeat has expired.
"""

from __future__ import annotations

NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: dupefilter, queue. ARGV: fingerprint, score, data, filter (1|0). 1 if queued, 0 if seen.
ENQUEUE = """
if ARGV[4] == '1' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: queue, leases, lease-data. ARGV: lease id, ttl ms. The request popped, leased to the caller.
POP_LEASED = NOW + """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], item[2] .. '|' .. item[1])
return item[1]
"""

# KEYS: leases. ARGV: ttl ms, lease ids... Extends the caller's leases still on record.
RENEW = NOW + """
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return renewed
"""

_REQUEUE_ONE = """
local function requeue(id)
  local v = redis.call('HGET', KEYS[2], id)
  if v then
    local sep = string.find(v, '|', 1, true)
    redis.call('ZADD', KEYS[3], string.sub(v, 1, sep - 1), string.sub(v, sep + 1))
  end
  redis.call('HDEL', KEYS[2], id)
  return redis.call('ZREM', KEYS[1], id)
end
"""

# KEYS: leases, lease-data, queue. ARGV: limit. Expired leases back into the queue.
SWEEP = NOW + _REQUEUE_ONE + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do requeue(id) end
return #ids
"""

# KEYS: leases, lease-data, queue. ARGV: lease ids. Given-up leases back into the queue now.
GIVE_BACK = _REQUEUE_ONE + """
local n = 0
for i = 1, #ARGV do n = n + requeue(ARGV[i]) end
return n
"""

# KEYS: workers. ARGV: worker id, ttl ms. Registers/refreshes the worker, forgets the dead.
HEARTBEAT = NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return redis.call('ZCARD', KEYS[1])
"""

# KEYS: queue, leases, workers, dupefilter, lease-data. ARGV: worker id, finished (1|0).
# The worker leaves; if it was the last and nothing is queued or leased, the finished
# frontier's fingerprints are dropped so that the next run starts from the seeds. 1 if so.
LEAVE = NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[2] ~= '1' then return 0 end
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 or redis.call('ZCARD', KEYS[3]) > 0 then
  return 0
end
redis.call('DEL', KEYS[4], KEYS[5])
return 1
"""

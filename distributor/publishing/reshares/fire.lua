-- Take what is due out of the due set (or the members named), and what fired earlier but was
-- not settled by ``stale_until``'s predecessor, into the firing set until ``stale_until``.
-- Each member is returned to one caller only per period, however many beats run.
-- KEYS: 1 due zset, 2 firing zset. ARGV: 1 now, 2 stale_until, 3 limit, then members (if any).
local now, stale, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local out = {}
if #ARGV > 3 then
  for i = 4, #ARGV do
    if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
      redis.call('ZADD', KEYS[2], stale, ARGV[i])
      out[#out + 1] = ARGV[i]
    end
  end
  return out
end
for _, set in ipairs({KEYS[1], KEYS[2]}) do
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', now, 'LIMIT', 0, limit)) do
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZADD', KEYS[2], stale, member)
    out[#out + 1] = member
  end
end
return out

-- Cancel the destinations of a reshare that have not fired yet (still in the due set); the
-- firing step takes them out of that set in one step too, so exactly one of the two wins.
-- KEYS: 1 reshare hash, 2 due zset, then per destination: planned-times zset, day counter.
-- ARGV: 1 reshare id, 2 reason, then the destinations. Returns the cancelled destinations.
local id, reason, out = ARGV[1], ARGV[2], {}
for i = 3, #ARGV do
  local dest, k = ARGV[i], 3 + (i - 3) * 2
  if redis.call('ZREM', KEYS[2], id .. '|' .. dest) == 1 then
    redis.call('HSET', KEYS[1], 'state:' .. dest, 'cancelled', 'note:' .. dest, reason)
    redis.call('ZREM', KEYS[k], id)
    if tonumber(redis.call('GET', KEYS[k + 1]) or '0') > 0 then redis.call('DECR', KEYS[k + 1]) end
    out[#out + 1] = dest
  end
end
return out

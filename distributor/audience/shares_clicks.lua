-- Count one batch of human share clicks of one article on one UTC day (audience/shares.py).
-- KEYS: 1 per-address rate hash of this window (visitor -> clicks), 2 article's clicks hash
-- (network -> counted), 3 the day's clickers HyperLogLog, 4.. one "seen" HyperLogLog per network.
-- ARGV: 1 clicks allowed per address per window, 2 the rate hash's TTL, 3 most addresses the
-- rate hash tracks, 4 HyperLogLog TTL, 5 how many networks, 6.. their names, then pairs of
-- (network position, visitor id).
-- A click counts when its address is under its limit (every click spends it) and it is new to
-- that network's HyperLogLog today: repeats never count, and memory stays bounded (12 KB per
-- HyperLogLog, the rate hash capped). Returns the counted clicks per network, in order.
local limit, rate_ttl, cap, ttl = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), ARGV[4]
local nets = tonumber(ARGV[5])
local before, added = {}, {}
for n = 1, nets do
  before[n] = redis.call('PFCOUNT', KEYS[3 + n])
  added[n] = false
end
for i = 6 + nets, #ARGV, 2 do
  local n, visitor = tonumber(ARGV[i]), ARGV[i + 1]
  local known = redis.call('HEXISTS', KEYS[1], visitor) == 1
  if known or redis.call('HLEN', KEYS[1]) < cap then
    if redis.call('HINCRBY', KEYS[1], visitor, 1) <= limit then
      redis.call('PFADD', KEYS[3 + n], visitor)
      redis.call('PFADD', KEYS[3], visitor)
      added[n] = true
    end
  end
end
redis.call('EXPIRE', KEYS[1], rate_ttl)
local counted = {}
for n = 1, nets do
  counted[n] = 0
  if added[n] then
    counted[n] = math.max(0, redis.call('PFCOUNT', KEYS[3 + n]) - before[n])
    redis.call('EXPIRE', KEYS[3 + n], ttl)
    if counted[n] > 0 then redis.call('HINCRBY', KEYS[2], ARGV[5 + n], counted[n]) end
  end
end
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ttl) end
return counted

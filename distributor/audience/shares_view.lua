-- Count a page view once per visitor and UTC day. KEYS: 1 the article's views hash, 2 the
-- day's viewers HyperLogLog (12 KB at most). ARGV: 1 visitor id, 2 the HyperLogLog's TTL.
local before = redis.call('PFCOUNT', KEYS[2])
redis.call('PFADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
local new = math.max(0, redis.call('PFCOUNT', KEYS[2]) - before)
if new > 0 then redis.call('HINCRBY', KEYS[1], 'views', new) end
return new

-- Take a destination's evergreen slot: only if its last slot is still the one the caller saw,
-- so two beats (or a beat and `distributor evergreen`) never both take it.
-- KEYS: 1 slots hash. ARGV: 1 destination, 2 the last slot seen ('' for none), 3 now.
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1

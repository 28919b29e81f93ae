-- The salt of one UTC day: made by the first process that asks, then shared (one round trip).
-- KEYS: 1 the day's salt. ARGV: 1 a fresh random salt, 2 its TTL.
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
return redis.call('GET', KEYS[1])

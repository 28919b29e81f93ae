-- Replace one record if it is still what the caller read (an edit or a delete moved it on).
-- KEYS: records, open; ARGV: chat, expected value, new value, now, job id
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', ARGV[4], ARGV[5])
return 1

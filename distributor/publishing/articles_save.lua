local current = tonumber(redis.call('HGET', KEYS[1], 'revision') or '0')
if tonumber(ARGV[1]) < current then return 0 end
redis.call('HSET', KEYS[1], 'revision', ARGV[1], 'json', ARGV[2], 'published', ARGV[3])
-- the desk's index of articles by publish time (KEYS[2]), kept with the article
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return 1

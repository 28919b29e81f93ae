local new = redis.call('SADD', KEYS[2], 'v:' .. ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
if new == 1 then redis.call('HINCRBY', KEYS[1], 'views', 1) end
return new

local reason = ARGV[6]
local state = ensure()
if state ~= 'pending' then return state end
redis.call('HSET', key, 'error', reason)
move('pending', 'skipped', reason)
redis.call('ZADD', skipped, now, key)
redis.call('ZREMRANGEBYSCORE', skipped, '-inf', now - 7 * 86400) -- the list keeps a week
return 'ok'

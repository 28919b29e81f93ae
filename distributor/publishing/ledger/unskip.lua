local reason = ARGV[6]
local state = redis.call('HGET', key, 'state')
if state ~= 'skipped' then return state or 'missing' end
move('skipped', 'pending', reason)
redis.call('HSET', key, 'created_at', now) -- sent by hand: max_delay counts from now
redis.call('HDEL', key, 'error')
redis.call('ZREM', skipped, key)
return 'ok'

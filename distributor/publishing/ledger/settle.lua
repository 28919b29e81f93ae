local ids, reason = ARGV[6], ARGV[7]
if ensure() ~= 'pending' then return 'kept' end
redis.call('HSET', key, 'message_ids', ids)
set_live(ids, redis.call('HGET', posted, 'method') or '')
move('pending', 'sent', reason, ids)
return 'ok'

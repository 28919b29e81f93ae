local reason = ARGV[6]
if redis.call('HGET', key, 'state') ~= 'sent' then return 'kept' end
if reshare == '' and revision >= tonumber(redis.call('HGET', posted, 'revision') or '0') then
  redis.call('HDEL', posted, 'revision', 'message_ids', 'method')
end
move('sent', 'deleted', reason, redis.call('HGET', key, 'message_ids'))
return 'ok'

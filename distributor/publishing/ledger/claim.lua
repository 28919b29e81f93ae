local lease, token, action = tonumber(ARGV[6]), ARGV[7], ARGV[8]
local state = ensure()
if state == 'sending' then
  if tonumber(redis.call('HGET', key, 'lease_until')) > now then return 'sending' end
  move('sending', 'in_doubt', 'lease expired: the worker may have died during the platform call')
  return 'in_doubt'
end
if state ~= 'pending' then return state end
if revision <= tonumber(redis.call('HGET', posted, 'unpublished') or '0') then
  move('pending', 'deleted', 'article unpublished before it was posted')
  return 'deleted'
end
local attempt = redis.call('HINCRBY', key, 'attempts', 1)
redis.call('HSET', key, 'state', 'sending', 'token', token, 'lease_until', now + lease,
  'action', action, 'updated_at', now, 'after_id', redis.call('HGET', high, dest) or '0')
redis.call('ZADD', leases, now + lease, key)
log('pending', 'sending', action, nil, attempt)
return 'claimed:' .. attempt

if redis.call('HGET', key, 'state') ~= 'sending' then
  redis.call('ZREM', leases, key)
  return 'gone'
end
if tonumber(redis.call('HGET', key, 'lease_until')) > now then return 'live' end
move('sending', 'in_doubt', 'lease expired: the worker may have died during the platform call')
return 'in_doubt'

if revision > tonumber(redis.call('HGET', posted, 'unpublished') or '0') then
  redis.call('HSET', posted, 'unpublished', revision)
end
return 'ok'

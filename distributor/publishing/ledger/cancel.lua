if redis.call('HGET', key, 'state') ~= 'pending' then return 'kept' end
if revision > tonumber(redis.call('HGET', posted, 'unpublished') or '0') then return 'kept' end
move('pending', 'deleted', 'article unpublished before it was posted')
return 'ok'

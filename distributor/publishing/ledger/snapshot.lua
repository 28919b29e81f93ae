local out = {redis.call('HGETALL', key), redis.call('HGETALL', posted)}
for _, member in ipairs(redis.call('SMEMBERS', index)) do
  out[#out + 1] = redis.call('HGETALL', member)
end
return out

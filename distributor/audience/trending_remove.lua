local id = ARGV[1]
local scopes = redis.call('SMEMBERS', KEYS[1])
for i = 3, #ARGV, 3 do
  local prefix = ARGV[i + 2]
  redis.call('ZREM', prefix .. 'all', id)
  for _, scope in ipairs(scopes) do redis.call('ZREM', prefix .. scope, id) end
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], id)
if ARGV[2] == '1' then redis.call('SADD', KEYS[4], id) end
return 1

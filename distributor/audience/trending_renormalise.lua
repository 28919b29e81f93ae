local now = tonumber(ARGV[1])
local scopes = redis.call('SMEMBERS', KEYS[2])
table.insert(scopes, 'all')
for i = 2, #ARGV, 3 do
  local name, h, prefix = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local t0 = tonumber(redis.call('HGET', KEYS[1], name))
  if t0 then
    local factor = string.format('%.17g', 2 ^ ((t0 - now) / h))
    for _, scope in ipairs(scopes) do
      local key = prefix .. scope
      redis.call('ZUNIONSTORE', key, 1, key, 'WEIGHTS', factor)
    end
    redis.call('HSET', KEYS[1], name, ARGV[1])
  end
end
return 1

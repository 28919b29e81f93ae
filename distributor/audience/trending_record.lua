if redis.call('SISMEMBER', KEYS[5], ARGV[1]) == 1 then return 0 end
local n = tonumber(ARGV[7])
local id, scope = ARGV[1], ARGV[2]
local t, kind, tb = tonumber(ARGV[3]), ARGV[5], tonumber(ARGV[6])
local w = tonumber(ARGV[4]) * n
local old = redis.call('HGET', KEYS[3], 'scope')
local moved = old and old ~= '' and old ~= scope
for name, h, prefix in string.gmatch(ARGV[8], '([^|;]+)|([^|;]+)|([^;]+)') do
  h = tonumber(h)
  local t0 = tonumber(redis.call('HGET', KEYS[1], name))
  if not t0 then t0 = t; redis.call('HSET', KEYS[1], name, ARGV[3]) end
  local inc = string.format('%.17g', w * 2 ^ ((t - t0) / h))
  redis.call('ZINCRBY', prefix .. 'all', inc, id)
  if moved then
    local prev = redis.call('ZSCORE', prefix .. old, id)
    redis.call('ZREM', prefix .. old, id)
    if prev and scope ~= '' then redis.call('ZINCRBY', prefix .. scope, prev, id) end
  end
  if scope ~= '' then redis.call('ZINCRBY', prefix .. scope, inc, id) end
  redis.call('HINCRBYFLOAT', KEYS[3], 'd|' .. name .. '|' .. kind .. '|' .. ARGV[6],
    string.format('%.17g', w * 2 ^ ((t - tb) / h)))
end
redis.call('HINCRBY', KEYS[3], 'n|' .. kind .. '|' .. ARGV[6], n)
redis.call('HINCRBYFLOAT', KEYS[3], 'w|' .. kind .. '|' .. ARGV[6], string.format('%.17g', w))
redis.call('HSET', KEYS[3], 'scope', scope)
if scope ~= '' then redis.call('SADD', KEYS[2], scope) end
redis.call('ZADD', KEYS[4], 'GT', t, id)
return n

"""Lua scripts of the trending boards (kept apart so trending.py reads as Python)."""

RECORD = """
if redis.call('SISMEMBER', KEYS[5], ARGV[1]) == 1 then return 0 end
local n = tonumber(ARGV[7])
if #ARGV > 9 then
  n = redis.call('SADD', KEYS[6], unpack(ARGV, 10))
  redis.call('EXPIRE', KEYS[6], ARGV[8])
  if n == 0 then return 0 end
end
local id, scope = ARGV[1], ARGV[2]
local t, kind, tb = tonumber(ARGV[3]), ARGV[5], tonumber(ARGV[6])
local w = tonumber(ARGV[4]) * n
local old = redis.call('HGET', KEYS[3], 'scope')
local moved = old and old ~= '' and old ~= scope
for name, h, prefix in string.gmatch(ARGV[9], '([^|;]+)|([^|;]+)|([^;]+)') do
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
"""

REMOVE = """
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
"""

RENORMALISE = """
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
"""

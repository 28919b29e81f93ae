local function num(field) return tonumber(redis.call('HGET', KEYS[1], field) or '0') end
local s, e = tonumber(ARGV[3]), tonumber(ARGV[4])
local ds, de = s - num('shares'), e - num('engagement')
local hs, he = num('hwm_shares'), num('hwm_engagement')
redis.call('HSET', KEYS[1], 'article', ARGV[2], 'shares', s, 'engagement', e,
  'hwm_shares', math.max(s, hs), 'hwm_engagement', math.max(e, he), 'polled_at', ARGV[5])
if ds ~= 0 then redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':shares', ds) end
if de ~= 0 then redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':engagement', de) end
return {math.max(0, s - hs), math.max(0, e - he)}

-- How long the longest hold on these scopes still runs (microseconds; 0 when none).
-- KEYS: the scopes' hold keys (written by gcra_hold.lua).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
for i = 1, #KEYS do
  local ends = tonumber(redis.call('GET', KEYS[i]) or '0')
  if ends - now > wait then wait = ends - now end
end
return string.format('%d', wait)

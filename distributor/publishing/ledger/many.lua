-- Read-only: each destination's newest revision's record, for many articles in one call (the
-- desk's lists). KEYS: each article's delivery index set (members end ":<dest>:<rev>").
local out = {}
for i, index in ipairs(KEYS) do
  local newest = {}
  for _, member in ipairs(redis.call('SMEMBERS', index)) do
    local dest, rev = string.match(member, ':([^:]+):(%d+)$')
    rev = tonumber(rev)
    if not newest[dest] or rev > newest[dest][1] then newest[dest] = {rev, member} end
  end
  local rows = {}
  for _, pair in pairs(newest) do rows[#rows + 1] = redis.call('HGETALL', pair[2]) end
  out[i] = rows
end
return out

-- Read-only: the delivery records of many articles in one call (the desk's lists).
-- KEYS: each article's delivery index set. ARGV[1]: keep only records in this state ('' keeps
-- all); ARGV[2]: '1' keeps only each destination's newest revision (keys end ":<dest>:<rev>").
local keep, newest_only = ARGV[1], ARGV[2] == '1'
local out = {}
for i, index in ipairs(KEYS) do
  local members = redis.call('SMEMBERS', index)
  if newest_only then
    local newest = {}
    for _, member in ipairs(members) do
      local dest, rev = string.match(member, ':([^:]+):(%d+)$')
      rev = tonumber(rev)
      if not newest[dest] or rev > newest[dest][1] then newest[dest] = {rev, member} end
    end
    members = {}
    for _, pair in pairs(newest) do members[#members + 1] = pair[2] end
  end
  local rows = {}
  for _, member in ipairs(members) do
    if keep == '' or redis.call('HGET', member, 'state') == keep then
      rows[#rows + 1] = redis.call('HGETALL', member)
    end
  end
  out[i] = rows
end
return out

-- Choose a reshare's text on an X account: the first candidate whose digest the account's set
-- of this article's texts does not hold yet (added at once, so two reshares never choose the
-- same); a retry gets the index chosen before.
-- KEYS: 1 reshare hash, 2 texts set. ARGV: 1 destination, 2 n earlier digests (added first),
-- then those, then the candidates' digests. Returns the chosen candidate's index, or -1.
local field = 'text:' .. ARGV[1]
local kept = redis.call('HGET', KEYS[1], field)
if kept then return tonumber(kept) end
local earlier = tonumber(ARGV[2])
for i = 3, 2 + earlier do redis.call('SADD', KEYS[2], ARGV[i]) end
for i = 3 + earlier, #ARGV do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
    local index = i - 3 - earlier
    redis.call('HSET', KEYS[1], field, index)
    return index
  end
end
return -1

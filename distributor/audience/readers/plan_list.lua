-- Plan a job over a given list of chats once (edits, deletes, a digest hour).
-- KEYS: plan, open; ARGV: now, ttl, job id, chat ids...
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local n = #ARGV - 3
for i = 4, #ARGV, 5000 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 4999, #ARGV)))
end
if n > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
end
return n

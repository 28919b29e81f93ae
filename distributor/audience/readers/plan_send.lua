-- Plan a new article's send job once: the readers of any of its topics (a union, so two
-- matching topics make one entry), minus those who take a daily digest instead.
-- KEYS: meta, plan, open, digest readers, scratch set, topic sets...
-- ARGV: now, revision, records ttl, meta ttl, job id
if redis.call('HEXISTS', KEYS[1], 'planned') == 1 then return -1 end
local ids = {}
if #KEYS > 5 then
  redis.call('SUNIONSTORE', KEYS[5], unpack(KEYS, 6))
  ids = redis.call('SDIFF', KEYS[5], KEYS[4])
  redis.call('DEL', KEYS[5])
end
for i = 1, #ids, 5000 do
  redis.call('RPUSH', KEYS[2], unpack(ids, i, math.min(i + 4999, #ids)))
end
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], 'planned', ARGV[1], 'revision', ARGV[2], 'readers', #ids)
redis.call('EXPIRE', KEYS[1], ARGV[4])
if #ids > 0 then redis.call('ZADD', KEYS[3], ARGV[1], ARGV[5]) end
return #ids

-- Settle claims this token holds: a record value, '' (surely not sent: no record, to send
-- again) or '?' (in doubt: keep the claim's after_id and lease). Notes each message id as the
-- chat's highest when it is (and the reader still exists), and the job's progress. The batch's
-- ids also raise the readers' high-water, and its lowest is kept by its claim's lease end: a
-- send claimed after another's lease ran out has a higher id (one counter per bot account).
-- KEYS: records, open, reader profile of each chat..., readers' high-water, claim ids;
-- ARGV: now, token, job id, then per chat: chat, value, message id.
-- Returns how many claims were no longer held.
local lost = 0
local prefix = 'c|' .. ARGV[2] .. '|'
local hw_key, ids_key = KEYS[#KEYS - 1], KEYS[#KEYS]
local low, high, lease_end = nil, 0, nil
for i = 4, #ARGV, 3 do
  local chat, value, id = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local cur = redis.call('HGET', KEYS[1], chat)
  if cur and string.sub(cur, 1, #prefix) == prefix then
    if id > 0 then
      lease_end = lease_end or string.match(cur, '^c|[^|]*|([^|]*)|')
      low, high = math.min(low or id, id), math.max(high, id)
    end
    if value == '' then
      redis.call('HDEL', KEYS[1], chat)
    elseif value == '?' then
      local _, _, lease, after = string.find(cur, '^c|[^|]*|([^|]*)|([^|]*)$')
      redis.call('HSET', KEYS[1], chat, '?|' .. after .. '|' .. lease .. '|' .. ARGV[1])
    else
      redis.call('HSET', KEYS[1], chat, value)
    end
    local profile = KEYS[2 + (i - 1) / 3]
    if id > 0 and redis.call('EXISTS', profile) == 1
        and id > tonumber(redis.call('HGET', profile, 'hw') or '0') then
      redis.call('HSET', profile, 'hw', id)
    end
  else
    lost = lost + 1
  end
end
if low then
  if high > tonumber(redis.call('GET', hw_key) or '0') then
    redis.call('SET', hw_key, string.format('%d', high))
  end
  redis.call('ZADD', ids_key, lease_end, string.format('%d', low))
  redis.call('ZREMRANGEBYSCORE', ids_key, '-inf', tonumber(ARGV[1]) - 86400)
end
redis.call('ZADD', KEYS[2], 'XX', ARGV[1], ARGV[3])
return lost

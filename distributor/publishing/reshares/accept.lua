-- Accept a reshare's destinations that pass their guard rails, all in one step.
-- KEYS: 1 reshare hash, 2 calendar zset, 3 the article's reshare set, 4 due zset, then per
-- destination: planned-times zset, live-post hash (its last_post_at), the day's counter.
-- ARGV: 1 reshare id, 2 reshare JSON, 3 now, 4 n, then per destination: id, due time,
-- cooldown seconds, force ('1'/'0'), daily cap (0: none), local day, note.
-- Returns per destination: verdict ('ok', 'cooldown', 'cap') and the cooldown's end ('').
-- Nothing is written when every destination is refused.
local id, meta, now, n = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local out, accepted, first = {}, 0, nil
for i = 0, n - 1 do
  local a, k = 5 + i * 7, 5 + i * 3
  local due, cooldown = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local force, cap = ARGV[a + 3], tonumber(ARGV[a + 4])
  local times, posted, count = KEYS[k], KEYS[k + 1], KEYS[k + 2]
  local verdict, ends = 'ok', ''
  if force ~= '1' and cooldown > 0 then
    local last = tonumber(redis.call('HGET', posted, 'last_post_at') or '0')
    if last > 0 and due < last + cooldown then
      verdict, ends = 'cooldown', tostring(last + cooldown)
    else
      local near = redis.call('ZRANGEBYSCORE', times, '(' .. (due - cooldown),
        '(' .. (due + cooldown), 'WITHSCORES', 'LIMIT', 0, 1)
      if #near > 0 then verdict, ends = 'cooldown', tostring(tonumber(near[2]) + cooldown) end
    end
  end
  if verdict == 'ok' and cap > 0 and tonumber(redis.call('GET', count) or '0') >= cap then
    verdict = 'cap'
  end
  out[#out + 1], out[#out + 2] = verdict, ends
  if verdict == 'ok' then
    accepted = accepted + 1
    if first == nil or due < first then first = due end
  end
end
if accepted == 0 then return out end
redis.call('HSET', KEYS[1], 'json', meta)
for i = 0, n - 1 do
  local a, k = 5 + i * 7, 5 + i * 3
  local dest, due, day, note = ARGV[a], ARGV[a + 1], ARGV[a + 5], ARGV[a + 6]
  local verdict, ends = out[i * 2 + 1], out[i * 2 + 2]
  if verdict == 'ok' then
    redis.call('HSET', KEYS[1], 'state:' .. dest, 'scheduled', 'due:' .. dest, due,
      'day:' .. dest, day, 'note:' .. dest, note)
    redis.call('ZADD', KEYS[4], due, id .. '|' .. dest)
    redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', now - 30 * 86400)
    redis.call('ZADD', KEYS[k], due, id)
    redis.call('INCR', KEYS[k + 2])
    redis.call('EXPIRE', KEYS[k + 2], 3 * 86400)
  else
    redis.call('HSET', KEYS[1], 'state:' .. dest, 'refused', 'due:' .. dest, due,
      'note:' .. dest, verdict, 'until:' .. dest, ends)
  end
end
redis.call('ZADD', KEYS[2], first, id)
redis.call('SADD', KEYS[3], id)
return out

-- One post asks for its turn under an account's budget (publishing/budget.py): it goes when
-- every window has more free slots than posts ranked ahead of it; else it joins the queue.
-- KEYS: 1 windows hash, 2 held zset, 3 check-in zset, 4 status hash, 5 probe marker, 6 scopes
-- ARGV: 1 scope, 2 now, 3 ticket, 4 score, 5 may spend the reserve (0|1), 6 reserve share,
--       7 margin, 8 check-in grace s, 9 probe every s (0: never), 10 recheck s, 11 guess JSON
local windows_key, held, checkin, status = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, ticket, score = tonumber(ARGV[2]), ARGV[3], ARGV[4]
local use_reserve, share, margin = ARGV[5] == '1', tonumber(ARGV[6]), tonumber(ARGV[7])
local grace, probe_s, recheck = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
redis.call('SADD', KEYS[6], ARGV[1])

-- a held post that stopped asking (its task was lost) must not block the queue for good
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', checkin, '-inf', now)) do
  redis.call('ZREM', held, gone)
  redis.call('ZREM', checkin, gone)
end

local windows, raw = {}, redis.call('HGETALL', windows_key)
for i = 1, #raw, 2 do windows[raw[i]] = cjson.decode(raw[i + 1]) end
if next(windows) == nil then -- nothing learnt yet: the configured guess until an answer says
  for _, g in ipairs(cjson.decode(ARGV[11])) do
    windows[g.family] = {limit = g.limit, remaining = g.limit, reset = 0, seen = 0,
      label = g.label, probe = 1}
  end
end
for family, w in pairs(windows) do -- a window past its reset is whole again
  if w.reset > 0 and now >= w.reset then
    if w.limit <= 0 then
      windows[family] = nil
      redis.call('HDEL', windows_key, family)
    else
      w.remaining, w.reset = w.limit, 0
    end
  end
end

local ahead = redis.call('ZCOUNT', held, '(' .. score, '+inf')
local admitted, opens, why, probe_at = true, 0, '', 0
for _, w in pairs(windows) do
  local keep = margin
  if not use_reserve then keep = keep + math.floor(w.limit * share) end
  local free = w.remaining - keep
  if free <= ahead then
    admitted = false
    local at = w.reset
    if at <= 0 or free > 0 then at = now + recheck end -- an answer in flight, or others first
    if at > opens or (at == opens and w.label < why) then opens, why = at, w.label end
    -- the platform may be asked about a count it has not confirmed for ``probe_s``
    if w.probe == 0 then
      probe_at = math.huge
    elseif probe_at < math.huge then
      probe_at = math.max(probe_at, (w.at or 0) + probe_s)
    end
  end
end

for family, w in pairs(windows) do
  if admitted then w.remaining = w.remaining - 1 end
  redis.call('HSET', windows_key, family, cjson.encode(w))
end
local probe = false
if not admitted and probe_s > 0 and probe_at <= now and opens - now > probe_s then
  -- the first in line asks the platform now and then: its answer's headers win
  if ahead == 0 then
    probe = redis.call('SET', KEYS[5], '1', 'NX', 'PX', math.floor(probe_s * 1000)) ~= false
  end
  local ttl = redis.call('PTTL', KEYS[5])
  if not probe and ttl > 0 and probe_s - ttl / 1000 < 60 then
    -- that answer is on its way: wait for it rather than give up on the old count
    opens, why = now + recheck, 'asking X whether ' .. why .. ' is spent'
  end
end
if admitted or probe then
  redis.call('ZREM', held, ticket)
  redis.call('ZREM', checkin, ticket)
  local waiting = redis.call('ZCARD', held)
  if waiting == 0 then redis.call('DEL', status) end
  return {1, '0', waiting, '0', '', 0, 0, 0, probe and 1 or 0}
end

local wake = opens
if probe_s > 0 and probe_at < math.huge then
  if probe_at > now then wake = math.min(opens, probe_at) else wake = math.min(opens, now + probe_s) end
end
local first = redis.call('ZADD', held, score, ticket)
redis.call('ZADD', checkin, wake + grace, ticket)
local waiting = redis.call('ZCARD', held)
local fresh = redis.call('HEXISTS', status, 'until') == 0
redis.call('HSET', status, 'until', tostring(opens), 'why', why, 'held', waiting)
return {0, tostring(wake), waiting, tostring(opens), why, ahead, first, fresh and 1 or 0, 0}

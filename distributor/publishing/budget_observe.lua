-- What the platform said on an answer replaces what we counted (publishing/budget.py).
-- KEYS: 1 windows hash, 2 scopes set. ARGV: 1 scope, 2 now, 3 readings (JSON list).
local now = tonumber(ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
local stored, raw = {}, redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do
  local w = cjson.decode(raw[i + 1])
  if w.seen == 0 then redis.call('HDEL', KEYS[1], raw[i]) else stored[raw[i]] = w end
end
for _, r in ipairs(cjson.decode(ARGV[3])) do
  if r.reset > now then -- an answer from a window that already ended says nothing now
    local w = stored[r.family]
    if w and math.abs(w.reset - r.reset) <= 1 then
      -- the same window: its count only goes down (answers may arrive out of order)
      w.remaining, w.limit, w.at = math.min(w.remaining, r.remaining), r.limit, now
    else -- a new window, or the platform restarted: its word wins
      w = {limit = r.limit, remaining = r.remaining, reset = r.reset, seen = 1,
        label = r.label, probe = r.probe, at = now}
    end
    redis.call('HSET', KEYS[1], r.family, cjson.encode(w))
  end
end
return 'ok'

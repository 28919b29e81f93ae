-- A slot taken for a post that was never sent goes back (publishing/budget.py).
-- KEYS: 1 windows hash.
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do
  local w = cjson.decode(raw[i + 1])
  if w.limit > 0 and w.remaining < w.limit then
    w.remaining = w.remaining + 1
    redis.call('HSET', KEYS[1], raw[i], cjson.encode(w))
  end
end
return 'ok'

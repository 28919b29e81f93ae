-- Lua for the ledger's atomic transitions (each script runs as one Redis command).
--
-- KEYS: 1 delivery hash, 2 article's delivery index, 3 article's history list, 4 leases zset,
-- 5 in-doubt zset, 6 live-post hash, 7 high-water hash (destination → highest message id),
-- 8 skipped zset (X budget: deliveries too late to post).
-- ARGV: 1 article id, 2 destination, 3 revision, 4 now, then the script's own arguments.
local key, index, history = KEYS[1], KEYS[2], KEYS[3]
local leases, doubts, posted, high, skipped = KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local article, dest, revision, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])

local function log(from, to, reason, ids, attempt)
  local entry = {t = now, destination = dest, revision = revision, from = from, to = to}
  if reason and reason ~= '' then entry.reason = reason end
  if ids and ids ~= '' then entry.message_ids = ids end
  if attempt then entry.attempt = attempt end
  redis.call('RPUSH', history, cjson.encode(entry))
end

local function move(from, to, reason, ids)
  redis.call('HSET', key, 'state', to, 'updated_at', now)
  if from == 'sending' then redis.call('ZREM', leases, key) end
  if from == 'in_doubt' then redis.call('ZREM', doubts, key) end
  if to == 'in_doubt' then redis.call('ZADD', doubts, now, key) end
  if to == 'pending' then redis.call('HDEL', key, 'token', 'lease_until') end
  log(from, to, reason, ids)
end

local function set_live(ids, method)
  for id in string.gmatch(ids, '%d+') do
    if tonumber(id) > tonumber(redis.call('HGET', high, dest) or '0') then
      redis.call('HSET', high, dest, id)
    end
  end
  local live = tonumber(redis.call('HGET', posted, 'revision') or '0')
  if revision >= live then
    redis.call('HSET', posted, 'revision', revision, 'message_ids', ids, 'method', method)
  end
end

local function ensure()
  local state = redis.call('HGET', key, 'state')
  if state then return state end
  redis.call('HSET', key, 'article_id', article, 'destination', dest, 'revision', revision,
    'state', 'pending', 'attempts', 0, 'message_ids', '', 'updated_at', now, 'created_at', now)
  redis.call('SADD', index, key)
  log(nil, 'pending')
  return 'pending'
end

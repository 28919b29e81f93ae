-- Lua for the ledger's atomic transitions (each script runs as one Redis command).
--
-- KEYS: 1 delivery hash, 2 the article's delivery index (its reshare index for a reshare),
-- 3 article's history list, 4 leases zset, 5 in-doubt zset, 6 live-post hash, 7 high-water hash
-- (destination → highest message id), 8 failed zset, 9 fresh-post hash (destination → time of
-- its last original post), 10 skipped zset (X budget: deliveries too late to post), 11 the
-- destination's recorded message ids (zset, the newest RECORDED_KEPT kept: the probe skips them).
-- ARGV: 1 article id, 2 destination, 3 revision, 4 now, 5 reshare id ('' for a revision's own
-- delivery), then the script's own arguments.
local key, index, history = KEYS[1], KEYS[2], KEYS[3]
local leases, doubts, posted, high = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local failed, fresh, skipped, recorded = KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local RECORDED_KEPT = 10000
local article, dest, revision, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local reshare = ARGV[5]

local function log(from, to, reason, ids, attempt)
  local entry = {t = now, destination = dest, revision = revision, from = from, to = to}
  if reshare ~= '' then entry.reshare = reshare end
  if reason and reason ~= '' then entry.reason = reason end
  if ids and ids ~= '' then entry.message_ids = ids end
  if attempt then entry.attempt = attempt end
  redis.call('RPUSH', history, cjson.encode(entry))
end

local function move(from, to, reason, ids)
  redis.call('HSET', key, 'state', to, 'updated_at', now)
  if from == 'sending' then redis.call('ZREM', leases, key) end
  if from == 'in_doubt' then redis.call('ZREM', doubts, key) end
  if from == 'failed' then redis.call('ZREM', failed, key) end
  if to == 'in_doubt' then
    redis.call('ZADD', doubts, now, key)
    redis.call('HINCRBY', key, 'doubts', 1) -- which doubt this is: resolve names the one it saw
  end
  if to == 'failed' then redis.call('ZADD', failed, now, key) end
  if to == 'pending' then redis.call('HDEL', key, 'token', 'lease_until') end
  log(from, to, reason, ids)
end

-- A new post was made (not an edit): the cooldown of reshares runs from it, and an original
-- post pauses the destination's evergreen rotation (times only move forward).
local function note_post()
  if redis.call('HGET', key, 'action') ~= 'post' then return end
  if now > tonumber(redis.call('HGET', posted, 'last_post_at') or '0') then
    redis.call('HSET', posted, 'last_post_at', now)
  end
  if reshare == '' and now > tonumber(redis.call('HGET', fresh, dest) or '0') then
    redis.call('HSET', fresh, dest, now)
  end
end

-- A reshare's post never becomes the live post (updates edit the original, not it).
local function set_live(ids, method)
  for id in string.gmatch(ids, '%d+') do
    if tonumber(id) > tonumber(redis.call('HGET', high, dest) or '0') then
      redis.call('HSET', high, dest, id)
    end
    redis.call('ZADD', recorded, id, id)
  end
  if ids ~= '' then redis.call('ZREMRANGEBYRANK', recorded, 0, -RECORDED_KEPT - 1) end
  if reshare ~= '' then return end
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
  if reshare ~= '' then redis.call('HSET', key, 'reshare', reshare) end
  redis.call('SADD', index, key)
  log(nil, 'pending')
  return 'pending'
end

"""Lua for the ledger's atomic transitions (each script runs as one Redis command).

KEYS: 1 delivery hash, 2 article's delivery index, 3 article's history list, 4 leases zset,
5 in-doubt zset, 6 live-post hash, 7 high-water hash (destination → highest message id).
ARGV: 1 article id, 2 destination, 3 revision, 4 now, then the script's own arguments.
"""

from __future__ import annotations

PRELUDE = """
local key, index, history = KEYS[1], KEYS[2], KEYS[3]
local leases, doubts, posted, high = KEYS[4], KEYS[5], KEYS[6], KEYS[7]
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
    'state', 'pending', 'attempts', 0, 'message_ids', '', 'updated_at', now)
  redis.call('SADD', index, key)
  log(nil, 'pending')
  return 'pending'
end
"""

_ENSURE = """
return ensure()
"""

_CLAIM = """
local lease, token, action = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local state = ensure()
if state == 'sending' then
  if tonumber(redis.call('HGET', key, 'lease_until')) > now then return 'sending' end
  move('sending', 'in_doubt', 'lease expired: the worker may have died during the platform call')
  return 'in_doubt'
end
if state ~= 'pending' then return state end
if revision <= tonumber(redis.call('HGET', posted, 'unpublished') or '0') then
  move('pending', 'deleted', 'article unpublished before it was posted')
  return 'deleted'
end
local attempt = redis.call('HINCRBY', key, 'attempts', 1)
redis.call('HSET', key, 'state', 'sending', 'token', token, 'lease_until', now + lease,
  'action', action, 'updated_at', now, 'after_id', redis.call('HGET', high, dest) or '0')
redis.call('ZADD', leases, now + lease, key)
log('pending', 'sending', action, nil, attempt)
return 'claimed:' .. attempt
"""

_EXPIRE = """
if redis.call('HGET', key, 'state') ~= 'sending' then
  redis.call('ZREM', leases, key)
  return 'gone'
end
if tonumber(redis.call('HGET', key, 'lease_until')) > now then return 'live' end
move('sending', 'in_doubt', 'lease expired: the worker may have died during the platform call')
return 'in_doubt'
"""

_TRANSITION = """
local token, to, reason, ids, method = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local state = redis.call('HGET', key, 'state')
if not state then return 'missing' end
if redis.call('HGET', key, 'token') ~= token then return 'token mismatch, state ' .. state end
if state ~= 'sending' and state ~= 'in_doubt' then return 'already ' .. state end
if to == 'sent' then
  redis.call('HSET', key, 'message_ids', ids)
  redis.call('HDEL', key, 'error')
  set_live(ids, method)
else
  redis.call('HSET', key, 'error', reason)
end
move(state, to, reason, ids)
return 'ok'
"""

_RESOLVE = """
local to, reason, ids, method = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if redis.call('HGET', key, 'state') ~= 'in_doubt' then return 'settled' end
if to == 'sent' then
  redis.call('HSET', key, 'message_ids', ids)
  redis.call('HDEL', key, 'error')
  set_live(ids, method)
end
move('in_doubt', to, reason, ids)
return 'ok'
"""

_TOMBSTONE = """
if revision > tonumber(redis.call('HGET', posted, 'unpublished') or '0') then
  redis.call('HSET', posted, 'unpublished', revision)
end
return 'ok'
"""

_CANCEL = """
if redis.call('HGET', key, 'state') ~= 'pending' then return 'kept' end
if revision > tonumber(redis.call('HGET', posted, 'unpublished') or '0') then return 'kept' end
move('pending', 'deleted', 'article unpublished before it was posted')
return 'ok'
"""

_DELETED = """
local reason = ARGV[5]
if redis.call('HGET', key, 'state') ~= 'sent' then return 'kept' end
if revision >= tonumber(redis.call('HGET', posted, 'revision') or '0') then
  redis.call('HDEL', posted, 'revision', 'message_ids', 'method')
end
move('sent', 'deleted', reason, redis.call('HGET', key, 'message_ids'))
return 'ok'
"""

_SETTLE = """
local ids, reason = ARGV[5], ARGV[6]
if ensure() ~= 'pending' then return 'kept' end
redis.call('HSET', key, 'message_ids', ids)
set_live(ids, redis.call('HGET', posted, 'method') or '')
move('pending', 'sent', reason, ids)
return 'ok'
"""

_SNAPSHOT = """
local out = {redis.call('HGETALL', key), redis.call('HGETALL', posted)}
for _, member in ipairs(redis.call('SMEMBERS', index)) do
  out[#out + 1] = redis.call('HGETALL', member)
end
return out
"""

SCRIPTS = {
    "ensure": _ENSURE,
    "claim": _CLAIM,
    "expire": _EXPIRE,
    "transition": _TRANSITION,
    "resolve": _RESOLVE,
    "cancel": _CANCEL,
    "deleted": _DELETED,
    "settle": _SETTLE,
    "tombstone": _TOMBSTONE,
    "snapshot": _SNAPSHOT,
}

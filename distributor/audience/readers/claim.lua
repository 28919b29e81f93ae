-- Claim chats for sending, right before the sends: a chat without a record gets
-- 'c|token|lease_until|after_id' (after_id: the highest message id noted in that chat or got
-- back by any reader send: Telegram numbers private chats per bot account).
-- A claim whose lease ran out becomes in doubt, never claimed again. An unpublished article
-- ('gone' in its meta) claims nothing; a chat that is no longer a reader gets 'n|'.
-- KEYS: records, meta, every reader, reader profile of each chat..., readers' high-water
-- ARGV: now, lease_until, token, ttl, chats...
-- Returns one entry per chat: 'ok', or the state letter of the record that stopped it.
local out = {}
if redis.call('HGET', KEYS[2], 'gone') == '1' then
  for i = 5, #ARGV do out[#out + 1] = 'gone' end
  return out
end
local now = tonumber(ARGV[1])
local account = tonumber(redis.call('GET', KEYS[#KEYS]) or '0')
for i = 5, #ARGV do
  local chat = ARGV[i]
  local cur = redis.call('HGET', KEYS[1], chat)
  if cur then
    local state = string.sub(cur, 1, 1)
    if state == 'c' then
      local _, _, lease, after = string.find(cur, '^c|[^|]*|([^|]*)|([^|]*)$')
      if tonumber(lease) < now then
        redis.call('HSET', KEYS[1], chat, '?|' .. after .. '|' .. lease .. '|' .. ARGV[1])
        state = '?'
      end
    end
    out[#out + 1] = state
  elseif redis.call('SISMEMBER', KEYS[3], chat) == 0 then
    redis.call('HSET', KEYS[1], chat, 'n|')
    out[#out + 1] = 'n'
  else
    local hw = math.max(tonumber(redis.call('HGET', KEYS[i - 1], 'hw') or '0'), account)
    local after = string.format('%d', hw)
    redis.call('HSET', KEYS[1], chat, 'c|' .. ARGV[3] .. '|' .. ARGV[2] .. '|' .. after)
    out[#out + 1] = 'ok'
  end
end
if redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return out

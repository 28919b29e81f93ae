local token, to, reason, ids, method = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local state = redis.call('HGET', key, 'state')
if not state then return 'missing' end
if redis.call('HGET', key, 'token') ~= token then return 'token mismatch, state ' .. state end
if state ~= 'sending' and state ~= 'in_doubt' then return 'already ' .. state end
if to == 'sent' then
  redis.call('HSET', key, 'message_ids', ids)
  redis.call('HDEL', key, 'error')
  set_live(ids, method)
  note_post()
else
  redis.call('HSET', key, 'error', reason)
end
move(state, to, reason, ids)
return 'ok'

local to, reason, ids, method = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
if redis.call('HGET', key, 'state') ~= 'in_doubt' then return 'settled' end
if to == 'sent' then
  redis.call('HSET', key, 'message_ids', ids)
  redis.call('HDEL', key, 'error')
  set_live(ids, method)
  note_post()
end
move('in_doubt', to, reason, ids)
return 'ok'

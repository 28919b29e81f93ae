local to, reason, ids, method = ARGV[6], ARGV[7], ARGV[8], ARGV[9] -- ARGV[10]: the doubt
if redis.call('HGET', key, 'state') ~= 'in_doubt' then return 'settled' end
-- a decision about an earlier doubt (the record was settled, sent again and is in doubt anew
-- since the reconciler listed it) must not settle this one: it could post a second time
if ARGV[10] ~= '' and (redis.call('HGET', key, 'doubts') or '0') ~= ARGV[10] then
  return 'stale'
end
if to == 'sent' then
  redis.call('HSET', key, 'message_ids', ids)
  redis.call('HDEL', key, 'error')
  set_live(ids, method)
  note_post()
end
move('in_doubt', to, reason, ids)
return 'ok'

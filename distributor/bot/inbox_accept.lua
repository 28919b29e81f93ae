-- Accept one webhook update once: Telegram repeats an update it got no answer for.
-- KEYS: the update id's marker, the inbox; ARGV: update JSON, marker ttl
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('LPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0

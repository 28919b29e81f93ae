-- A manager sends a failed delivery again (failed → pending, attempts from zero), or the send
-- could not be queued and the record goes back (pending → failed).
local from, to, reason = ARGV[6], ARGV[7], ARGV[8]
local state = redis.call('HGET', key, 'state')
if state ~= from then return state or 'missing' end
if to == 'pending' then redis.call('HSET', key, 'attempts', 0) end
if to == 'failed' then redis.call('HSET', key, 'error', reason) end
move(from, to, reason)
return 'ok'

-- A platform's retry_after: nothing may go to these scopes before it passes, for every worker.
-- KEYS: per scope its theoretical-arrival-time key, then its hold key.
-- ARGV: 1 the hold in microseconds, then interval_us and burst for each scope.
-- The TAT moves to where GCRA admits one call at the hold's end and then paces (no burst), and
-- the hold key remembers the end, so ``held`` can tell a 429's hold from ordinary pacing.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local ends = now + tonumber(ARGV[1])
for i = 1, #KEYS / 2 do
  local interval, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat_key, hold_key = KEYS[2 * i - 1], KEYS[2 * i]
  local tat = math.max(tonumber(redis.call('GET', tat_key) or '0'), ends + (burst - 1) * interval)
  redis.call('SET', tat_key, string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
  local held = math.max(tonumber(redis.call('GET', hold_key) or '0'), ends)
  redis.call('SET', hold_key, string.format('%d', held), 'PX', math.ceil((held - now) / 1000) + 1)
end
return 'ok'

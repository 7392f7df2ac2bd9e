--[[
  release: give a live session's bandwidth back to the pool without accounting (reaper, operator disconnect).
  Idempotent: releasing a closed or missing session changes nothing.

  KEYS[1] pool hash (with the per-hotspot h:<id>:down / h:<id>:up)
  KEYS[2] session hash
  KEYS[3] hotspot live set
  KEYS[4] leases sorted set

  ARGV[1] the key prefix (lib/keys.lua): the device hash of the session's stored MAC loses its live-session entry
          l:<session id>
  ARGV[2] session id
  ARGV[3] reason, stored as terminateCause (e.g. 'lease-expired')
  ARGV[4] retention of a closed session record, seconds
  ARGV[5] only if the lease expired: '1' to release only when the lease is older than Redis time, '0' always

  Returns 'released' | 'not-live' | 'lease-renewed'
]]
-- @include keys
-- @include time
-- @include ledger
local sid = ARGV[2]
local s = redis.call('HMGET', KEYS[2], 'state', 'downKbps', 'upKbps', 'hotspotId', 'mac')
local deviceKey = s[5] and K.device(s[5]) or nil
if not s[1] or s[1] == 'closed' then
  redis.call('ZREM', KEYS[4], sid)
  redis.call('SREM', KEYS[3], sid)
  if deviceKey then redis.call('HDEL', deviceKey, 'l:' .. sid) end
  return 'not-live'
end
local _, nowMs = now()
if ARGV[5] == '1' then
  local lease = redis.call('ZSCORE', KEYS[4], sid)
  if lease and tonumber(lease) > nowMs then return 'lease-renewed' end
end
closeSession(KEYS[1], KEYS[2], KEYS[3], deviceKey, KEYS[4], s[4], sid, tonumber(s[2]), tonumber(s[3]), ARGV[3], nowMs,
  tonumber(ARGV[4]))
return 'released'

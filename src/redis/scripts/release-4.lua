--[[
  release: give a live session's bandwidth back to the pool without accounting (reaper, operator disconnect).
  Idempotent: releasing a closed or missing session changes nothing.

  KEYS[1] pool hash (with the per-hotspot h:<id>:down / h:<id>:up)
  KEYS[2] session hash
  KEYS[3] hotspot live set
  KEYS[4] leases sorted set

  ARGV[1] session id
  ARGV[2] reason, stored as terminateCause (e.g. 'lease-expired')
  ARGV[3] retention of a closed session record, seconds
  ARGV[4] only if the lease expired: '1' to release only when the lease is older than Redis time, '0' always
  ARGV[5] the prefix of device hashes: `<prefix><mac>` of the session's stored MAC loses its live-session entry
          l:<session id> (same hash tag as KEYS, so the same Cluster slot)

  Returns 'released' | 'not-live' | 'lease-renewed'
]]
local sid = ARGV[1]
local s = redis.call('HMGET', KEYS[2], 'state', 'downKbps', 'upKbps', 'hotspotId', 'mac')
local function forgetDevice()
  if s[5] then redis.call('HDEL', ARGV[5] .. s[5], 'l:' .. sid) end
end
if not s[1] or s[1] == 'closed' then
  redis.call('ZREM', KEYS[4], sid)
  redis.call('SREM', KEYS[3], sid)
  forgetDevice()
  return 'not-live'
end
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[4] == '1' then
  local lease = redis.call('ZSCORE', KEYS[4], sid)
  if lease and tonumber(lease) > nowMs then return 'lease-renewed' end
end
redis.call('HSET', KEYS[2], 'state', 'closed', 'closedAt', nowMs, 'terminateCause', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'allocDownKbps', 0 - tonumber(s[2]))  -- 0 - x, not -x: HINCRBY refuses "-0"
redis.call('HINCRBY', KEYS[1], 'allocUpKbps', 0 - tonumber(s[3]))
redis.call('HINCRBY', KEYS[1], 'h:' .. s[4] .. ':down', 0 - tonumber(s[2]))
redis.call('HINCRBY', KEYS[1], 'h:' .. s[4] .. ':up', 0 - tonumber(s[3]))
redis.call('HINCRBY', KEYS[1], 'sessions', -1)
redis.call('SREM', KEYS[3], sid)
redis.call('ZREM', KEYS[4], sid)
forgetDevice()
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
return 'released'

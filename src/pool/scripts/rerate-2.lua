--[[
  rerate: record a live session's new rate after the NAS acknowledged a CoA, moving the difference in the pool.
  Idempotent: applying the same rate twice changes nothing the second time.

  KEYS[1] pool hash
  KEYS[2] session hash

  ARGV[1] new downKbps (whole number)
  ARGV[2] new upKbps (whole number)

  Returns 'rerated' | 'unchanged' | 'not-live'
]]
local s = redis.call('HMGET', KEYS[2], 'state', 'downKbps', 'upKbps')
if not s[1] or s[1] == 'closed' then return 'not-live' end
local down, up = tonumber(ARGV[1]), tonumber(ARGV[2])
local dDown, dUp = down - tonumber(s[2]), up - tonumber(s[3])
if dDown == 0 and dUp == 0 then return 'unchanged' end
redis.call('HINCRBY', KEYS[1], 'allocDownKbps', dDown)
redis.call('HINCRBY', KEYS[1], 'allocUpKbps', dUp)
redis.call('HSET', KEYS[2], 'downKbps', down, 'upKbps', up)
return 'rerated'

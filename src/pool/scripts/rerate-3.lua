--[[
  rerate: record a live session's new rate after the NAS acknowledged a CoA, moving the difference in the pool.
  Idempotent: applying the same rate twice changes nothing the second time. Fenced: an allocator whose lease
  epoch is older than the current one cannot write (an operator's change passes no epoch).

  KEYS[1] pool hash (with the per-hotspot h:<id>:down / h:<id>:up)
  KEYS[2] session hash
  KEYS[3] allocator epoch counter

  ARGV[1] new downKbps (whole number)
  ARGV[2] new upKbps (whole number)
  ARGV[3] the writer's allocator epoch, or '' for an operator

  Returns 'rerated' | 'unchanged' | 'not-live' | 'stale-epoch'
]]
if ARGV[3] ~= '' and tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[3]) then return 'stale-epoch' end
local s = redis.call('HMGET', KEYS[2], 'state', 'downKbps', 'upKbps', 'hotspotId')
if not s[1] or s[1] == 'closed' then return 'not-live' end
local down, up = tonumber(ARGV[1]), tonumber(ARGV[2])
local dDown, dUp = down - tonumber(s[2]), up - tonumber(s[3])
redis.call('HDEL', KEYS[2], 'needsRerate')
if dDown == 0 and dUp == 0 then return 'unchanged' end
redis.call('HINCRBY', KEYS[1], 'allocDownKbps', dDown)
redis.call('HINCRBY', KEYS[1], 'allocUpKbps', dUp)
redis.call('HINCRBY', KEYS[1], 'h:' .. s[4] .. ':down', dDown)
redis.call('HINCRBY', KEYS[1], 'h:' .. s[4] .. ':up', dUp)
redis.call('HSET', KEYS[2], 'downKbps', down, 'upKbps', up)
return 'rerated'

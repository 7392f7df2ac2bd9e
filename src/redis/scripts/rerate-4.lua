--[[
  rerate: book a live session's new rate, moving the difference in the pool. An increase is booked only as far as
  the pool (capacity x overbooking) and the hotspot's maxShareKbps allow; a decrease always. Idempotent: the same
  rate twice changes nothing the second time. Fenced: an allocator whose lease epoch is older than the current one
  cannot write (an operator's change passes no epoch).

  KEYS[1] pool hash (with the per-hotspot h:<id>:down / h:<id>:up)
  KEYS[2] session hash
  KEYS[3] allocator epoch counter
  KEYS[4] the session's hotspot hash (maxShareKbps)

  ARGV[1] new downKbps (whole number)
  ARGV[2] new upKbps (whole number)
  ARGV[3] the writer's allocator epoch, or '' for an operator

  Returns {code, downKbps, upKbps}: the rate now booked.
  code: 'rerated' | 'unchanged' | 'not-live' | 'stale-epoch'
]]
-- @include keys
-- @include ledger
if ARGV[3] ~= '' and tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[3]) then return {'stale-epoch', 0, 0} end
local s = redis.call('HMGET', KEYS[2], 'state', 'downKbps', 'upKbps', 'hotspotId')
if not s[1] or s[1] == 'closed' then return {'not-live', 0, 0} end
local oldDown, oldUp = tonumber(s[2]), tonumber(s[3])
local down, up = tonumber(ARGV[1]), tonumber(ARGV[2])
local room = poolRoom(KEYS[1], s[4])
if down > oldDown then
  down = math.min(down, oldDown + math.max(0, room.freeDown))
  local maxShare = tonumber(redis.call('HGET', KEYS[4], 'maxShareKbps') or '0')
  if maxShare > 0 then
    down = math.min(down, math.max(oldDown, maxShare - room.heldDown + oldDown))
  end
end
if up > oldUp then
  up = math.min(up, oldUp + math.max(0, room.freeUp))
end
local dDown, dUp = down - oldDown, up - oldUp
redis.call('HDEL', KEYS[2], 'needsRerate')
if dDown == 0 and dUp == 0 then return {'unchanged', down, up} end
movePool(KEYS[1], s[4], room, dDown, dUp, 0)
redis.call('HSET', KEYS[2], 'downKbps', down, 'upKbps', up)
return {'rerated', down, up}

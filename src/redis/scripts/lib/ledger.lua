--[[
  ledger: the pool's bookkeeping, written once for every script that books, moves or gives back a session's rate.

  The pool hash holds capDownKbps, capUpKbps (public capacity), overbooking (capacity is multiplied by it: not
  every citizen saturates a link at once), allocDownKbps, allocUpKbps and sessions (what live sessions hold), and
  per hotspot h:<id>:down and h:<id>:up (hotspotField in lib/keys.lua, which a script includes first). A live session is in its hotspot's live set, in the leases sorted set,
  and its device hash has l:<session id> = when it was booked (ms).
]]

-- The pool's capacity (times overbooking), what is free of it, and the number of live sessions.
local function poolRoom(poolKey)
  local p = redis.call('HMGET', poolKey, 'capDownKbps', 'capUpKbps', 'allocDownKbps', 'allocUpKbps', 'overbooking',
    'sessions')
  local overbook = tonumber(p[5] or '1')
  local totalDown = math.floor(tonumber(p[1] or '0') * overbook)
  local totalUp = math.floor(tonumber(p[2] or '0') * overbook)
  return {
    totalDown = totalDown, totalUp = totalUp,
    freeDown = totalDown - tonumber(p[3] or '0'), freeUp = totalUp - tonumber(p[4] or '0'),
    sessions = tonumber(p[6] or '0'),
  }
end

-- Moves a hotspot's allocation by (dDown, dUp) kbps, in the pool's totals and the hotspot's share.
-- Callers pass `0 - x` rather than `-x` for a give-back: HINCRBY refuses "-0".
local function moveRate(poolKey, hotspotId, dDown, dUp)
  redis.call('HINCRBY', poolKey, 'allocDownKbps', dDown)
  redis.call('HINCRBY', poolKey, 'allocUpKbps', dUp)
  redis.call('HINCRBY', poolKey, hotspotField(hotspotId, 'down'), dDown)
  redis.call('HINCRBY', poolKey, hotspotField(hotspotId, 'up'), dUp)
end

-- Books a session at (down, up) kbps: the pool, its hotspot's live set and its device's live sessions.
local function bookSession(poolKey, liveKey, deviceKey, hotspotId, sid, down, up, nowMs)
  moveRate(poolKey, hotspotId, down, up)
  redis.call('HINCRBY', poolKey, 'sessions', 1)
  redis.call('SADD', liveKey, sid)
  redis.call('HSET', deviceKey, 'l:' .. sid, nowMs)
end

-- Closes a live session: its rate goes back to the pool, it leaves the live set, the leases and its device's live
-- sessions, and its record is kept for retentionSec.
local function closeSession(poolKey, sessionKey, liveKey, deviceKey, leasesKey, hotspotId, sid, down, up, cause,
    nowMs, retentionSec)
  redis.call('HSET', sessionKey, 'state', 'closed', 'closedAt', nowMs, 'terminateCause', cause)
  moveRate(poolKey, hotspotId, 0 - down, 0 - up)
  redis.call('HINCRBY', poolKey, 'sessions', -1)
  redis.call('SREM', liveKey, sid)
  redis.call('ZREM', leasesKey, sid)
  if deviceKey then redis.call('HDEL', deviceKey, 'l:' .. sid) end
  redis.call('EXPIRE', sessionKey, retentionSec)
end

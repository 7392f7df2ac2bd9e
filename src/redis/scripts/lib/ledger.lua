--[[
  ledger: the pool's bookkeeping, written once for every script that books, moves or gives back a session's rate.

  The pool hash holds capDownKbps, capUpKbps (public capacity), overbooking (capacity is multiplied by it: not
  every citizen saturates a link at once), allocDownKbps, allocUpKbps and sessions (what live sessions hold), and
  per hotspot h:<id>:down and h:<id>:up (hotspotField in lib/keys.lua, which a script includes first). A live
  session is in its hotspot's live set, in the leases sorted set, and its device hash has l:<session id> = when it
  was booked (ms).

  A script reads the pool once (poolRoom) and writes what moved in one HSET (movePool): inside a script nothing
  runs in between, so that is as atomic as an HINCRBY per field, at a fifth of the commands.
]]

-- The pool as a script needs it, in one read: its capacity (times overbooking), what is allocated and free of it,
-- the number of live sessions, and what the hotspot's live sessions hold.
local function poolRoom(poolKey, hotspotId)
  local p = redis.call('HMGET', poolKey, 'capDownKbps', 'capUpKbps', 'allocDownKbps', 'allocUpKbps', 'overbooking',
    'sessions', hotspotField(hotspotId, 'down'), hotspotField(hotspotId, 'up'))
  local overbook = tonumber(p[5] or '1')
  local totalDown = math.floor(tonumber(p[1] or '0') * overbook)
  local totalUp = math.floor(tonumber(p[2] or '0') * overbook)
  local allocDown, allocUp = tonumber(p[3] or '0'), tonumber(p[4] or '0')
  return {
    totalDown = totalDown, totalUp = totalUp, allocDown = allocDown, allocUp = allocUp,
    freeDown = totalDown - allocDown, freeUp = totalUp - allocUp,
    sessions = tonumber(p[6] or '0'),
    heldDown = tonumber(p[7] or '0'), heldUp = tonumber(p[8] or '0'),
  }
end

-- Moves the hotspot's allocation by (dDown, dUp) kbps and the number of live sessions by dSessions, from what
-- poolRoom read (and keeps `room` current), in one write.
local function movePool(poolKey, hotspotId, room, dDown, dUp, dSessions)
  -- `+ 0` turns a -0 into 0: the fields hold whole numbers as text.
  room.allocDown, room.allocUp = room.allocDown + dDown + 0, room.allocUp + dUp + 0
  room.heldDown, room.heldUp = room.heldDown + dDown + 0, room.heldUp + dUp + 0
  room.sessions = room.sessions + dSessions + 0
  room.freeDown, room.freeUp = room.totalDown - room.allocDown, room.totalUp - room.allocUp
  redis.call('HSET', poolKey, 'allocDownKbps', room.allocDown, 'allocUpKbps', room.allocUp, 'sessions', room.sessions,
    hotspotField(hotspotId, 'down'), room.heldDown, hotspotField(hotspotId, 'up'), room.heldUp)
end

-- Books a session at (down, up) kbps: the pool (as `room` read it), its hotspot's live set and its device's live
-- sessions (bookedAt: when, ms, as text).
local function bookSession(poolKey, room, liveKey, deviceKey, hotspotId, sid, down, up, bookedAt)
  movePool(poolKey, hotspotId, room, down, up, 1)
  redis.call('SADD', liveKey, sid)
  redis.call('HSET', deviceKey, 'l:' .. sid, bookedAt)
end

-- Closes a live session: its rate goes back to the pool, it leaves the live set, the leases and its device's live
-- sessions, and its record is kept for retentionSec.
local function closeSession(poolKey, sessionKey, liveKey, deviceKey, leasesKey, hotspotId, sid, down, up, cause,
    nowMs, retentionSec)
  redis.call('HSET', sessionKey, 'state', 'closed', 'closedAt', nowMs, 'terminateCause', cause)
  movePool(poolKey, hotspotId, poolRoom(poolKey, hotspotId), 0 - down, 0 - up, -1)
  redis.call('SREM', liveKey, sid)
  redis.call('ZREM', leasesKey, sid)
  if deviceKey then redis.call('HDEL', deviceKey, 'l:' .. sid) end
  redis.call('EXPIRE', sessionKey, retentionSec)
end

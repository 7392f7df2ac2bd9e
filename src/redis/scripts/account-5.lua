--[[
  account: apply one Accounting-Request (Start, Interim-Update or Stop) to a session and the pool, atomically.
  Counters are totals from the NAS; only the growth since the last stored record is added to the device's daily
  usage, so a retransmitted or duplicated packet counts once.

  A session the reaper closed (terminateCause 'lease-expired' or 'never-started') whose NAS still reports it is
  alive after all: its usage still counts, and a Start or Interim revives it, but only with news (counters that
  grew, or the first Start of a session reaped before it started): a replayed older record changes nothing. It is
  booked again at its rate, or at what the pool has left if that is less (never beyond capacity), and marked
  needsRerate=1 so that the allocator brings the router's rate in line.

  Order. Records can be applied later than newer ones of the same session: spooled during a Redis outage and
  replayed after a Stop another process applied, or retransmitted late. The caller keeps one process's records in
  the order the NAS sent them (while its spool holds records, new accounting is spooled behind them, and the spool
  replays in arrival order); here, whatever the order:
  - after the NAS's own Stop (acctStopped=1) nothing changes the session: an older Start or Interim never revives
    it, and its counters (the Stop's totals, the largest) stay;
  - an older record of a live session adds nothing: only counters that grew count.

  Sessions Limpah never admitted. A session Redis does not know is booked ('adopted') only while its grant
  (KEYS[5]) still exists, for this NAS's hotspot (ARGV[11]) and the packet's MAC (ARGV[14]): Limpah issued that
  id to that device there, and no admission consumed it. That is an admission lost in a Redis failover (the grant
  reached the replica, the admission script that consumed it did not), or a login accepted while RADIUS failed
  open with a grant stored before the outage. It is booked at its hotspot's ceiling or what is left, marked
  needsRerate=1 and adopted=1, takes the grant's voucher, and the grant is consumed as admission would have. A Stop
  for such a session is adopted and closed at once, so that its older Start or Interim, applied after it, finds
  it closed.
  Anything else that Redis does not know is not booked: the record goes to the unmatched list ('unknown') for
  reconcile. That covers ids Limpah never issued, grants that expired, sessions whose record and grant are both
  gone (Redis restarted empty), and logins accepted while failing open with credentials made without Redis
  (grants.ts unstoredGrant), which run on their router at the fail-open rate until their Session-Timeout. A NAS's
  word alone cannot tell those apart from a made-up session, and booking on it would let a router hold pool
  bandwidth, and keep it with Interims, for sessions nobody admitted. A marker written at admission could not
  help: it would be lost with the admission itself, one script replicated as a whole; the grant, written by the
  portal before, is what can survive.

  After counting, a live session whose device has used up the day's minutes or megabytes is reported as
  'over_quota', for the caller to disconnect.

  The hotspot and the device are the stored session's, never the packet's (a NAS moved between hotspots or a
  missing Calling-Station-Id must not leak a live-set slot or book usage on the wrong device); their keys are built
  here (lib/keys.lua).

  KEYS[1] pool hash (with the per-hotspot h:<id>:down / h:<id>:up)
  KEYS[2] session hash (an adopted session gets the hotspot's limits as its timeoutSec, idleSec and bytesLimit)
  KEYS[3] leases sorted set
  KEYS[4] unmatched accounting list
  KEYS[5] grant hash of the session id (hotspotId, mac, voucher): proof that Limpah issued an unknown session's id

  ARGV[1] the key prefix (lib/keys.lua): the session's hotspot and device, its voucher (a session admitted with a
          voucher books its usage on the voucher too, and is over quota when the voucher's megabytes or validity
          are used up, not the device's day) and the per-day totals (seconds, bytes and the kbps-seconds of the
          session's rate are added for its hotspot)
  ARGV[2] status: 'start' | 'interim' | 'stop'
  ARGV[3] session id (User-Name)
  ARGV[4] Acct-Session-Id
  ARGV[5] Acct-Session-Time, seconds (whole number below 2^50)
  ARGV[6] input octets, including gigawords (the client's upload; whole number below 2^50)
  ARGV[7] output octets, including gigawords (the client's download; whole number below 2^50)
  ARGV[8] Acct-Terminate-Cause ('' if absent)
  ARGV[9] JSON of the record, kept in KEYS[4] when no session matches
  ARGV[10] retention of a closed session record, and of unmatched records, seconds
  ARGV[11] hotspot id of the NAS that sent it: an adopted session's grant must be for it
  ARGV[12] Framed-IP-Address ('' if absent)
  ARGV[13] NAS IP of the router that sent it: it must be the session's own (or the session is adopted with it)
  ARGV[14] MAC: an adopted session's grant must be for it
  ARGV[15] how long per-day totals are kept, seconds

  Returns {code, state}
  code: 'ok' | 'duplicate' (nothing changed) | 'closed' (session already closed by a Stop or an operator)
        | 'revived' (a reaped session reported alive again)
        | 'adopted' (an unknown session with its grant, now booked; a Stop returns 'ok', 'closed')
        | 'over_quota' (counted; the device's daily quota, or the session's voucher, is used up)
        | 'unknown' (no session, and no grant for this device and hotspot; recorded in KEYS[4], nothing booked)
        | 'foreign' (the session runs on another router, ARGV[13] is not its NAS IP; nothing changed)
]]
-- @include keys
-- @include time
-- @include ledger
-- @include voucher
-- @include device
local status, sid = ARGV[2], ARGV[3]
local stored = redis.call('HMGET', KEYS[2], 'hotspotId', 'mac', 'nasIp')
-- Only the router a session runs on may account for it: another router (even of the same operator) must not
-- charge a citizen's day, close the session or revive it.
if stored[3] and stored[3] ~= '' and stored[3] ~= ARGV[13] then return {'foreign', ''} end
local hotspotId = stored[1] or ARGV[11]
local hotspotKey = K.hotspot(hotspotId)
local liveKey = K.hotspotLive(hotspotId)
local deviceKey = K.device(stored[2] or ARGV[14])
local nowSec, nowMs = now()
local day = wibDay(nowSec)

-- Books the session at the rate it wants, or at what the pool has left if that is less (never beyond capacity).
local function book(wantDown, wantUp)
  local room = poolRoom(KEYS[1], hotspotId)
  local down = math.max(0, math.min(wantDown, room.freeDown))
  local up = math.max(0, math.min(wantUp, room.freeUp))
  bookSession(KEYS[1], room, liveKey, deviceKey, hotspotId, sid, down, up, nowMs)
  return down, up
end

local adopted = false
if redis.call('EXISTS', KEYS[2]) == 0 then
  local q = redis.call('HMGET', hotspotKey, 'downKbps', 'upKbps', 'interimSeconds', 'sessionMinutes', 'idleMinutes', 'dailyMB')
  local g = redis.call('HMGET', KEYS[5], 'hotspotId', 'mac', 'voucher')
  -- Issued by Limpah to this device at this hotspot, and never admitted (see the header); nothing else is booked.
  if not q[1] or g[1] ~= ARGV[11] or g[2] ~= ARGV[14] then
    redis.call('LPUSH', KEYS[4], ARGV[9])
    redis.call('LTRIM', KEYS[4], 0, 9999)
    redis.call('EXPIRE', KEYS[4], tonumber(ARGV[10]))
    return {'unknown', ''}
  end
  local down, up = book(tonumber(q[1]), tonumber(q[2]))
  redis.call('HSET', KEYS[2], 'state', 'active', 'hotspotId', hotspotId, 'mac', ARGV[14], 'nasIp', ARGV[13],
    'acctSessionId', ARGV[4], 'downKbps', down, 'upKbps', up, 'admittedAt', nowMs, 'startedAt', nowMs, 'sessionTime', 0, 'inputBytes', 0, 'outputBytes', 0, 'interimSec', tonumber(q[3] or '300'),
    'timeoutSec', tonumber(q[4] or '60') * 60, 'idleSec', tonumber(q[5] or '10') * 60,
    'bytesLimit', tonumber(q[6] or '0') * MIB, 'needsRerate', 1, 'adopted', 1)
  if g[3] then redis.call('HSET', KEYS[2], 'voucher', g[3]) end
  redis.call('DEL', KEYS[5])
  adopted = true
end

local s = redis.call('HMGET', KEYS[2], 'state', 'sessionTime', 'inputBytes', 'outputBytes', 'downKbps', 'upKbps',
  'hotspotId', 'interimSec', 'terminateCause', 'acctStopped', 'voucher')
local state = s[1]
local reaped = state == 'closed' and (s[9] == 'lease-expired' or s[9] == 'never-started')
-- After the NAS's own Stop nothing more counts. Closed by an operator, a quota or a reboot, the NAS's final
-- records still count as usage; the pool is not touched.
if state == 'closed' and s[10] == '1' then return {'closed', state} end
local final = state == 'closed' and not reaped

local newTime, newIn, newOut = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local dTime = math.max(0, newTime - tonumber(s[2]))
local dIn = math.max(0, newIn - tonumber(s[3]))
local dOut = math.max(0, newOut - tonumber(s[4]))
local changed = dTime > 0 or dIn > 0 or dOut > 0

-- Whole numbers below 2^50 print exactly with %.0f; HINCRBY refuses anything else.
local function int(n) return string.format('%.0f', n) end
-- A voucher session's usage is the voucher's, not the device's free day.
local voucherKey = s[11] and K.voucher(s[11]) or nil
if voucherKey and redis.call('EXISTS', voucherKey) == 0 then voucherKey = nil end
-- The device's usage today once this record is counted, when it is known without another read.
local usedSec, usedBytes
if changed then
  redis.call('HSET', KEYS[2], 'sessionTime', dTime > 0 and int(newTime) or s[2], 'inputBytes',
    dIn > 0 and int(newIn) or s[3], 'outputBytes', dOut > 0 and int(newOut) or s[4])
  if voucherKey then
    if dTime > 0 then redis.call('HINCRBY', voucherKey, 'usedSec', int(dTime)) end
    if dIn + dOut > 0 then redis.call('HINCRBY', voucherKey, 'usedBytes', int(dIn + dOut)) end
  else
    usedSec, usedBytes = addDeviceUsage(deviceKey, day, dTime, dIn + dOut)
    redis.call('EXPIRE', deviceKey, DEVICE_TTL_SEC)
  end
end
if changed then
  local dailyKey = K.daily(day)
  if dTime > 0 then
    redis.call('HINCRBY', dailyKey, hotspotField(hotspotId, 'sec'), int(dTime))
    redis.call('HINCRBY', dailyKey, hotspotField(hotspotId, 'kbpsSec'), int(dTime * tonumber(s[5] or '0')))
  end
  if dIn + dOut > 0 then redis.call('HINCRBY', dailyKey, hotspotField(hotspotId, 'bytes'), int(dIn + dOut)) end
  redis.call('EXPIRE', dailyKey, tonumber(ARGV[15]))
end
if ARGV[12] ~= '' then redis.call('HSET', KEYS[2], 'framedIp', ARGV[12]) end
if final then
  if status == 'stop' then redis.call('HSET', KEYS[2], 'acctStopped', 1) end
  return {'closed', 'closed'}
end

if status == 'stop' then
  redis.call('HSET', KEYS[2], 'lastSeen', nowMs, 'acctStopped', 1)
  if reaped then
    -- Final now: a late or retransmitted Interim must not revive it.
    redis.call('HSET', KEYS[2], 'terminateCause', ARGV[8] ~= '' and ARGV[8] or 'stopped-after-release')
    return {changed and 'ok' or 'duplicate', 'closed'}
  end
  closeSession(KEYS[1], KEYS[2], liveKey, deviceKey, KEYS[3], hotspotId, sid, tonumber(s[5]), tonumber(s[6]), ARGV[8],
    nowMs, tonumber(ARGV[10]))
  return {'ok', 'closed'}
end

-- A reaped session comes back only with news: counters that grew. A replayed old record changes nothing.
if reaped and not changed and not (status == 'start' and s[9] == 'never-started') then return {'duplicate', 'closed'} end

-- Start or Interim: the session is active and its lease is renewed (2.5 interim intervals).
redis.call('ZADD', KEYS[3], nowMs + math.floor(tonumber(s[8]) * 2500), sid)
redis.call('HSET', KEYS[2], 'lastSeen', nowMs)
local code = 'ok'
if reaped then
  local down, up = book(tonumber(s[5]), tonumber(s[6]))
  redis.call('HSET', KEYS[2], 'state', 'active', 'terminateCause', '', 'revivedAt', nowMs, 'downKbps', down, 'upKbps', up)
  if down < tonumber(s[5]) or up < tonumber(s[6]) then redis.call('HSET', KEYS[2], 'needsRerate', 1) end
  redis.call('HDEL', KEYS[2], 'closedAt')
  redis.call('PERSIST', KEYS[2])
  code = 'revived'
elseif adopted then
  code = 'adopted'
elseif state ~= 'active' then
  redis.call('HSET', KEYS[2], 'state', 'active', 'startedAt', nowMs, 'acctSessionId', ARGV[4])
elseif not changed then
  return {'duplicate', 'active'}
end

-- A voucher session ends with its voucher; any other with the device's day (minutes or megabytes).
if voucherKey then
  local left = voucherLeft(voucherKey, nowMs)
  if not left or left.revoked or nowMs >= left.expiresAt or left.bytesLeft <= 0 then
    return {'over_quota', 'active'}
  end
  return {code, 'active'}
end
local quota = redis.call('HMGET', hotspotKey, 'dailyMinutes', 'dailyMB')
if quota[1] then
  if not usedSec then
    local used = redis.call('HMGET', deviceKey, deviceDayFields(day))
    usedSec, usedBytes = tonumber(used[1] or '0'), tonumber(used[2] or '0')
  end
  if usedSec >= tonumber(quota[1]) * 60 or usedBytes >= tonumber(quota[2]) * MIB then
    return {'over_quota', 'active'}
  end
end
return {code, 'active'}

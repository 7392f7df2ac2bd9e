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
  (KEYS[5]) still exists, for this NAS's hotspot (ARGV[10]) and the packet's MAC (ARGV[13]): Limpah issued that
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
  here from prefixes (ARGV[17], ARGV[18]) and share the hash tag of KEYS, so they are in the same Cluster slot.

  KEYS[1] pool hash (with the per-hotspot h:<id>:down / h:<id>:up)
  KEYS[2] session hash (an adopted session gets the hotspot's limits as its timeoutSec, idleSec and bytesLimit)
  KEYS[3] leases sorted set
  KEYS[4] unmatched accounting list
  KEYS[5] grant hash of the session id (hotspotId, mac, voucher): proof that Limpah issued an unknown session's id

  ARGV[1] status: 'start' | 'interim' | 'stop'
  ARGV[2] session id (User-Name)
  ARGV[3] Acct-Session-Id
  ARGV[4] Acct-Session-Time, seconds (whole number below 2^50)
  ARGV[5] input octets, including gigawords (the client's upload; whole number below 2^50)
  ARGV[6] output octets, including gigawords (the client's download; whole number below 2^50)
  ARGV[7] Acct-Terminate-Cause ('' if absent)
  ARGV[8] JSON of the record, kept in KEYS[4] when no session matches
  ARGV[9] retention of a closed session record, and of unmatched records, seconds
  ARGV[10] hotspot id of the NAS that sent it: an adopted session's grant must be for it
  ARGV[11] Framed-IP-Address ('' if absent)
  ARGV[12] NAS IP of the router that sent it: it must be the session's own (or the session is adopted with it)
  ARGV[13] MAC: an adopted session's grant must be for it
  ARGV[14] the prefix of voucher keys: a session admitted with a voucher books its usage on the voucher too,
           and is over quota when the voucher's megabytes or validity are used up, not the device's day
  ARGV[15] the prefix of the per-day totals hash (`<prefix><day>`, same hash tag): seconds, bytes and the
           kbps-seconds of the session's rate are added for its hotspot
  ARGV[16] how long per-day totals are kept, seconds
  ARGV[17] the prefix of hotspot keys: `<prefix><id>` is the hotspot hash (quota), `<prefix><id>:live` its live set
  ARGV[18] the prefix of device hashes: `<prefix><mac>` holds the device's usage and live sessions l:<session id>

  Returns {code, state}
  code: 'ok' | 'duplicate' (nothing changed) | 'closed' (session already closed by a Stop or an operator)
        | 'revived' (a reaped session reported alive again)
        | 'adopted' (an unknown session with its grant, now booked; a Stop returns 'ok', 'closed')
        | 'over_quota' (counted; the device's daily quota, or the session's voucher, is used up)
        | 'unknown' (no session, and no grant for this device and hotspot; recorded in KEYS[4], nothing booked)
        | 'foreign' (the session runs on another router, ARGV[12] is not its NAS IP; nothing changed)
]]
local status, sid = ARGV[1], ARGV[2]
local stored = redis.call('HMGET', KEYS[2], 'hotspotId', 'mac', 'nasIp')
-- Only the router a session runs on may account for it: another router (even of the same operator) must not
-- charge a citizen's day, close the session or revive it.
if stored[3] and stored[3] ~= '' and stored[3] ~= ARGV[12] then return {'foreign', ''} end
local hotspotId = stored[1] or ARGV[10]
local hotspotKey = ARGV[17] .. hotspotId
local liveKey = hotspotKey .. ':live'
local deviceKey = ARGV[18] .. (stored[2] or ARGV[13])

local function book(wantDown, wantUp)
  local p = redis.call('HMGET', KEYS[1], 'capDownKbps', 'capUpKbps', 'allocDownKbps', 'allocUpKbps', 'overbooking')
  local overbook = tonumber(p[5] or '1')
  local down = math.max(0, math.min(wantDown, math.floor(tonumber(p[1] or '0') * overbook) - tonumber(p[3] or '0')))
  local up = math.max(0, math.min(wantUp, math.floor(tonumber(p[2] or '0') * overbook) - tonumber(p[4] or '0')))
  redis.call('HINCRBY', KEYS[1], 'allocDownKbps', down)
  redis.call('HINCRBY', KEYS[1], 'allocUpKbps', up)
  redis.call('HINCRBY', KEYS[1], 'h:' .. hotspotId .. ':down', down)
  redis.call('HINCRBY', KEYS[1], 'h:' .. hotspotId .. ':up', up)
  redis.call('HINCRBY', KEYS[1], 'sessions', 1)
  redis.call('SADD', liveKey, sid)
  redis.call('HSET', deviceKey, 'l:' .. sid, tonumber(redis.call('TIME')[1]) * 1000)
  return down, up
end

local adopted = false
if redis.call('EXISTS', KEYS[2]) == 0 then
  local q = redis.call('HMGET', hotspotKey, 'downKbps', 'upKbps', 'interimSeconds', 'sessionMinutes', 'idleMinutes', 'dailyMB')
  local g = redis.call('HMGET', KEYS[5], 'hotspotId', 'mac', 'voucher')
  -- Issued by Limpah to this device at this hotspot, and never admitted (see the header); nothing else is booked.
  if not q[1] or g[1] ~= ARGV[10] or g[2] ~= ARGV[13] then
    redis.call('LPUSH', KEYS[4], ARGV[8])
    redis.call('LTRIM', KEYS[4], 0, 9999)
    redis.call('EXPIRE', KEYS[4], tonumber(ARGV[9]))
    return {'unknown', ''}
  end
  local down, up = book(tonumber(q[1]), tonumber(q[2]))
  local t0 = redis.call('TIME')
  redis.call('HSET', KEYS[2], 'state', 'active', 'hotspotId', hotspotId, 'mac', ARGV[13], 'nasIp', ARGV[12],
    'acctSessionId', ARGV[3], 'downKbps', down, 'upKbps', up, 'admittedAt', tonumber(t0[1]) * 1000, 'startedAt',
    tonumber(t0[1]) * 1000, 'sessionTime', 0, 'inputBytes', 0, 'outputBytes', 0, 'interimSec', tonumber(q[3] or '300'),
    'timeoutSec', tonumber(q[4] or '60') * 60, 'idleSec', tonumber(q[5] or '10') * 60,
    'bytesLimit', tonumber(q[6] or '0') * 1048576, 'needsRerate', 1, 'adopted', 1)
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

local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local day = math.floor((tonumber(t[1]) + 25200) / 86400)

local newTime, newIn, newOut = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local dTime = math.max(0, newTime - tonumber(s[2]))
local dIn = math.max(0, newIn - tonumber(s[3]))
local dOut = math.max(0, newOut - tonumber(s[4]))
local changed = dTime > 0 or dIn > 0 or dOut > 0

-- Whole numbers below 2^50 print exactly with %.0f; HINCRBY refuses anything else.
local function int(n) return string.format('%.0f', n) end
-- A voucher session's usage is the voucher's, not the device's free day.
local voucherKey = s[11] and (ARGV[14] .. s[11]) or nil
if voucherKey and redis.call('EXISTS', voucherKey) == 0 then voucherKey = nil end
local usageKey = voucherKey or deviceKey
local secField = voucherKey and 'usedSec' or ('d' .. day .. ':s')
local byteField = voucherKey and 'usedBytes' or ('d' .. day .. ':b')
if dTime > 0 then
  redis.call('HSET', KEYS[2], 'sessionTime', int(newTime))
  redis.call('HINCRBY', usageKey, secField, int(dTime))
end
if dIn > 0 then redis.call('HSET', KEYS[2], 'inputBytes', int(newIn)) end
if dOut > 0 then redis.call('HSET', KEYS[2], 'outputBytes', int(newOut)) end
if dIn + dOut > 0 then redis.call('HINCRBY', usageKey, byteField, int(dIn + dOut)) end
if changed and not voucherKey then redis.call('EXPIRE', deviceKey, 172800) end
if changed then
  local dailyKey = ARGV[15] .. day
  local h = 'h:' .. hotspotId .. ':'
  if dTime > 0 then
    redis.call('HINCRBY', dailyKey, h .. 'sec', int(dTime))
    redis.call('HINCRBY', dailyKey, h .. 'kbpsSec', int(dTime * tonumber(s[5] or '0')))
  end
  if dIn + dOut > 0 then redis.call('HINCRBY', dailyKey, h .. 'bytes', int(dIn + dOut)) end
  redis.call('EXPIRE', dailyKey, tonumber(ARGV[16]))
end
if ARGV[11] ~= '' then redis.call('HSET', KEYS[2], 'framedIp', ARGV[11]) end
if final then
  if status == 'stop' then redis.call('HSET', KEYS[2], 'acctStopped', 1) end
  return {'closed', 'closed'}
end

if status == 'stop' then
  redis.call('HSET', KEYS[2], 'lastSeen', nowMs, 'acctStopped', 1)
  if reaped then
    -- Final now: a late or retransmitted Interim must not revive it.
    redis.call('HSET', KEYS[2], 'terminateCause', ARGV[7] ~= '' and ARGV[7] or 'stopped-after-release')
    return {changed and 'ok' or 'duplicate', 'closed'}
  end
  redis.call('HSET', KEYS[2], 'state', 'closed', 'closedAt', nowMs, 'terminateCause', ARGV[7])
  redis.call('HINCRBY', KEYS[1], 'allocDownKbps', 0 - tonumber(s[5]))  -- 0 - x, not -x: HINCRBY refuses "-0"
  redis.call('HINCRBY', KEYS[1], 'allocUpKbps', 0 - tonumber(s[6]))
  redis.call('HINCRBY', KEYS[1], 'h:' .. hotspotId .. ':down', 0 - tonumber(s[5]))
  redis.call('HINCRBY', KEYS[1], 'h:' .. hotspotId .. ':up', 0 - tonumber(s[6]))
  redis.call('HINCRBY', KEYS[1], 'sessions', -1)
  redis.call('SREM', liveKey, sid)
  redis.call('HDEL', deviceKey, 'l:' .. sid)
  redis.call('ZREM', KEYS[3], sid)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[9]))
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
  redis.call('HSET', KEYS[2], 'state', 'active', 'startedAt', nowMs, 'acctSessionId', ARGV[3])
elseif not changed then
  return {'duplicate', 'active'}
end

-- A voucher session ends with its voucher; any other with the device's day (minutes or megabytes).
if voucherKey then
  local v = redis.call('HMGET', voucherKey, 'expiresAt', 'quotaMB', 'usedBytes', 'revoked')
  if v[4] == '1' or nowMs >= tonumber(v[1] or '0') or tonumber(v[3] or '0') >= tonumber(v[2] or '0') * 1048576 then
    return {'over_quota', 'active'}
  end
  return {code, 'active'}
end
local quota = redis.call('HMGET', hotspotKey, 'dailyMinutes', 'dailyMB')
if quota[1] then
  local used = redis.call('HMGET', deviceKey, 'd' .. day .. ':s', 'd' .. day .. ':b')
  if tonumber(used[1] or '0') >= tonumber(quota[1]) * 60 or tonumber(used[2] or '0') >= tonumber(quota[2]) * 1048576 then
    return {'over_quota', 'active'}
  end
end
return {code, 'active'}

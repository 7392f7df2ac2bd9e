--[[
  admit: check a one-time grant's credential, consume it and admit a session into the pool, atomically, in one
  round trip.

  The credential is checked here when it can be: a PAP password against the grant's password, a CHAP response
  against the one the portal computed for the router's challenge. Otherwise (a CHAP challenge the portal did not
  see) the script answers 'check_password' with the grant's password and changes nothing; the caller verifies
  CHAP itself and calls again with kind 'verified'.

  KEYS[1] pool hash            (capDownKbps, capUpKbps, allocDownKbps, allocUpKbps, sessions, overbooking,
                                and per hotspot h:<id>:down, h:<id>:up: what its live sessions hold)
  KEYS[2] hotspot hash         (quota fields)
  KEYS[3] hotspot live set     (session ids)
  KEYS[4] grant hash           (password, hotspotId, mac; voucher, voucherDevice, voucherClock for a voucher login:
                                what redeeming it did, given back if this login is refused)
  KEYS[5] session hash         (created here; with what the Access-Accept granted, timeoutSec, idleSec and
                                bytesLimit, so that a CoA can say them again: CoovaChilli resets what a CoA omits)
  KEYS[6] leases sorted set    (session id -> lease expiry ms)
  KEYS[7] device hash          (usage d<day>:s, d<day>:b; live sessions l:<session id>)
  KEYS[8] admit request key    (cached reply for retransmissions)
  KEYS[9] device block key     (exists while an operator blocks the device)

  ARGV[1] the key prefix (lib/keys.lua): a grant the portal issued for a voucher names the voucher's code, and the
          session is then limited by the voucher (validity and megabytes left) instead of the device's day; an
          admission counts a session in the per-day totals and the device in the per-day, per-hotspot HyperLogLog
  ARGV[2] session id (the grant's username)
  ARGV[3] MAC from Calling-Station-Id, normalised AA:BB:CC:DD:EE:FF
  ARGV[4] hotspot id of the NAS that sent the request
  ARGV[5] NAS IP
  ARGV[6] Acct-Session-Id from the request ('' if absent)
  ARGV[7] pending lease, ms (a grant admitted but never started is released after this)
  ARGV[8] request cache TTL, ms
  ARGV[9] credential kind: 'pap' | 'chap' | 'verified'
  ARGV[10] the credential: the PAP password, or the CHAP exchange "<ident>:<challenge>:<response>" in lower-case
          hex ('' for 'verified'), compared whole with the one the portal stored
  ARGV[11] the salt that pseudonymises a MAC for the device count (sha1(salt .. mac); the MAC is not stored there)
  ARGV[12] how long per-day totals are kept, seconds

  Returns an array {code, downKbps, upKbps, sessionTimeoutSec, bytesLeft, idleTimeoutSec, interimSec}
  code: 'ok' | 'check_password' (element 2 is the grant's password; nothing changed)
        | 'device_busy' (element 2 is the device's oldest live session; nothing changed) | 'wrong_password'
        | 'grant_invalid' | 'mac_mismatch' | 'hotspot_unknown' | 'closed_hours' | 'daily_limit' | 'hotspot_full'
        | 'pool_full' | 'voucher_invalid' | 'voucher_expired' | 'voucher_used_up' | 'hotspot_disabled'
        | 'device_blocked' (an operator blocked the device)

  The pool's capacity is multiplied by its `overbooking` factor (not every citizen saturates a link at once), and
  a hotspot with `openMinutes` (per WIB weekday, Sunday first: [from, to] minutes of the day, or false) admits
  only inside them.
  A repeated call with the same KEYS[8] returns the first admission unchanged (the grant is consumed by then). A
  refusal is not kept: a flood of refused requests leaves no key behind. A refused voucher login (after the
  credential check) gives back what redeeming its voucher did and consumes its grant, so its credentials cannot be
  presented again; the citizen taps again. Other refusals change nothing.
]]
-- @include keys
-- @include time
-- @include ledger
-- @include voucher
local cached = redis.call('GET', KEYS[8])
if cached then
  return cjson.decode(cached)
end

local function finish(result)
  if result[1] == 'ok' then redis.call('SET', KEYS[8], cjson.encode(result), 'PX', tonumber(ARGV[8])) end
  return result
end

local sid, mac, hotspotId = ARGV[2], ARGV[3], ARGV[4]
local grant = redis.call('HMGET', KEYS[4], 'hotspotId', 'mac', 'password', 'chapResponse', 'voucher', 'voucherDevice',
  'voucherClock')
-- Set once the credential, hotspot and device are checked: a refusal after that is of a real login.
local checked = false

-- A refused login does not use up its voucher: what redeeming it for this grant did (the device it added, the
-- validity it started) is given back, unless another device has taken the voucher meanwhile. Its records are kept
-- as long as an unused voucher's are (its redeem-by date plus the retention the redemption used).
local function giveBackVoucher()
  local vkey = K.voucher(grant[5])
  local devices = K.voucherDevices(grant[5])
  if grant[6] == '1' then redis.call('SREM', devices, mac) end
  if grant[7] == '1' and redis.call('SCARD', devices) == 0 then
    local v = redis.call('HMGET', vkey, 'expiresAt', 'redeemBy', 'usedSec')
    if v[1] and tonumber(v[3] or '0') == 0 then
      local retention = redis.call('PEXPIRETIME', vkey) - tonumber(v[1])
      redis.call('HDEL', vkey, 'firstUsedAt', 'expiresAt', 'firstHotspot')
      if v[2] and v[2] ~= '' and retention > 0 then redis.call('PEXPIREAT', vkey, tonumber(v[2]) + retention) end
    end
  end
end

local function refuse(code)
  -- A voucher login's grant is spent with the give-back: presented again later, it could otherwise ride on the
  -- voucher after another device took the slot it gave back. (Other refused grants stay for the router's retry.)
  if checked and grant[5] then
    giveBackVoucher()
    redis.call('DEL', KEYS[4])
  end
  return finish({code, 0, 0, 0, 0, 0, 0})
end

if not grant[1] then return refuse('grant_invalid') end
local kind = ARGV[9]
if kind == 'pap' then
  if ARGV[10] ~= grant[3] then return refuse('wrong_password') end
elseif kind == 'chap' then
  if not grant[4] or ARGV[10] ~= grant[4] then return {'check_password', grant[3] or ''} end
elseif kind ~= 'verified' then
  return refuse('wrong_password')
end
if grant[1] ~= hotspotId then return refuse('grant_invalid') end
if grant[2] ~= mac then return refuse('mac_mismatch') end
if redis.call('EXISTS', KEYS[5]) == 1 then return refuse('grant_invalid') end
checked = true

local q = redis.call('HMGET', KEYS[2], 'maxSessions', 'downKbps', 'upKbps', 'minDownKbps', 'minUpKbps',
  'sessionMinutes', 'dailyMinutes', 'dailyMB', 'idleMinutes', 'interimSeconds', 'openMinutes', 'maxShareKbps',
  'deviceSessions', 'disabled')
if not q[1] then return refuse('hotspot_unknown') end
if q[14] == '1' then return refuse('hotspot_disabled') end
if redis.call('EXISTS', KEYS[9]) == 1 then return refuse('device_blocked') end
local maxSessions, downKbps, upKbps = tonumber(q[1]), tonumber(q[2]), tonumber(q[3])
local minDownKbps, minUpKbps = tonumber(q[4]), tonumber(q[5])
local sessionSec, dailySec = tonumber(q[6]) * 60, tonumber(q[7]) * 60
local dailyBytes = tonumber(q[8]) * MIB
local idleSec, interimSec = tonumber(q[9]) * 60, tonumber(q[10])

local nowSec, nowMs = now()
local day = wibDay(nowSec)

if q[11] and q[11] ~= '' then
  local weekday, minute = wibWeekdayMinute(nowSec)
  local span = cjson.decode(q[11])[weekday + 1]
  if not span or span == cjson.null or minute < span[1] or minute >= span[2] then return refuse('closed_hours') end
end

local voucher = grant[5]
local secLeft, bytesLeft
if voucher then
  local left = voucherLeft(K.voucher(voucher), nowMs)
  if not left or not left.started or left.revoked then return refuse('voucher_invalid') end
  secLeft, bytesLeft = left.secLeft, left.bytesLeft
  if secLeft < 60 then return refuse('voucher_expired') end
  if bytesLeft < MIB then return refuse('voucher_used_up') end
else
  local used = redis.call('HMGET', KEYS[7], 'd' .. day .. ':s', 'd' .. day .. ':b')
  local usedSec, usedBytes = tonumber(used[1] or '0'), tonumber(used[2] or '0')
  secLeft, bytesLeft = dailySec - usedSec, dailyBytes - usedBytes
  if secLeft < 60 or bytesLeft < MIB then return refuse('daily_limit') end
end

-- One device, a limited number of sessions at once. At the limit the caller ends the oldest (a phone that logs in
-- again has lost its session on the router, and must not be locked out until the reaper finds it); that is
-- decided last, once the new session would be admitted, and the slot it frees counts for a full hotspot.
local deviceLimit = tonumber(q[13] or '1')
local oldest, oldestAt, live = nil, nil, 0
local fields = redis.call('HGETALL', KEYS[7])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 2) == 'l:' then
    live = live + 1
    local at = tonumber(fields[i + 1])
    if not oldestAt or at < oldestAt then oldest, oldestAt = string.sub(fields[i], 3), at end
  end
end
local replacing = live >= deviceLimit and oldest ~= nil
local freed = (replacing and redis.call('SISMEMBER', KEYS[3], oldest) == 1) and 1 or 0
if redis.call('SCARD', KEYS[3]) - freed >= maxSessions then return refuse('hotspot_full') end

local room = poolRoom(KEYS[1])
-- grant = min(ceiling, fair share), from what is free: a newcomer takes no more than an equal share of the pool
-- (the allocator evens shares out by weight later, and keeps room free for newcomers).
local n = room.sessions + 1
local grantDown = math.min(downKbps, room.freeDown, math.max(minDownKbps, math.floor(room.totalDown / n)))
local grantUp = math.min(upKbps, room.freeUp, math.max(minUpKbps, math.floor(room.totalUp / n)))
if grantDown < minDownKbps or grantUp < minUpKbps then return refuse('pool_full') end
-- A hotspot may hold at most maxShareKbps of the pool (download), so one busy park cannot take it all.
local maxShare = tonumber(q[12] or '0')
if maxShare and maxShare > 0 then
  local held = tonumber(redis.call('HGET', KEYS[1], hotspotField(hotspotId, 'down')) or '0')
  grantDown = math.min(grantDown, maxShare - held)
  if grantDown < minDownKbps then return refuse('hotspot_full') end
end

if replacing then return {'device_busy', oldest} end

-- A voucher runs until it ends; the hotspot's per-session limit rotates free access only.
local timeout = voucher and secLeft or math.min(sessionSec, secLeft)

redis.call('HSET', KEYS[5],
  'state', 'pending', 'hotspotId', hotspotId, 'mac', mac, 'nasIp', ARGV[5], 'acctSessionId', ARGV[6],
  'downKbps', grantDown, 'upKbps', grantUp, 'admittedAt', nowMs, 'sessionTime', 0, 'inputBytes', 0,
  'outputBytes', 0, 'interimSec', interimSec, 'timeoutSec', timeout, 'idleSec', idleSec, 'bytesLimit', bytesLeft)
if voucher then redis.call('HSET', KEYS[5], 'voucher', voucher) end
bookSession(KEYS[1], KEYS[3], KEYS[7], hotspotId, sid, grantDown, grantUp, nowMs)
redis.call('EXPIRE', KEYS[7], 172800)
redis.call('ZADD', KEYS[6], nowMs + tonumber(ARGV[7]), sid)
redis.call('DEL', KEYS[4])
-- The day's totals for reports: a session, and the device counted once per hotspot and day, pseudonymised.
local dailyKey = K.daily(day)
local devicesKey = K.dailyDevices(day, hotspotId)
local first = redis.call('HINCRBY', dailyKey, hotspotField(hotspotId, 'sessions'), 1) == 1
redis.call('PFADD', devicesKey, redis.sha1hex(ARGV[11] .. mac))
-- The hotspot's first session of the day creates its device count and gives both keys their retention.
if first then
  redis.call('EXPIRE', dailyKey, tonumber(ARGV[12]))
  redis.call('EXPIRE', devicesKey, tonumber(ARGV[12]))
end

return finish({'ok', grantDown, grantUp, timeout, bytesLeft, idleSec, interimSec})

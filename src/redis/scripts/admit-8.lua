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
  KEYS[7] device hash          (lib/device.lua: the day's usage d<day>:s, d<day>:b; live sessions
                                l:<session id>; read whole, in one HGETALL of a few fields)
  KEYS[8] device block key     (exists while an operator blocks the device)

  ARGV[1] the key prefix (lib/keys.lua): a grant the portal issued for a voucher names the voucher's code, and the
          session is then limited by the voucher (validity and megabytes left) instead of the device's day; an
          admission counts a session in the per-day totals and the device in the per-day, per-hotspot HyperLogLog
  ARGV[2] session id (the grant's username)
  ARGV[3] MAC from Calling-Station-Id, normalised AA:BB:CC:DD:EE:FF
  ARGV[4] hotspot id of the NAS that sent the request
  ARGV[5] NAS IP
  ARGV[6] Acct-Session-Id from the request ('' if absent)
  ARGV[7] pending lease, ms (a grant admitted but never started is released after this)
  ARGV[8] how long a retransmitted request gets its first answer again, ms
  ARGV[9] credential kind: 'pap' | 'chap' | 'verified'
  ARGV[10] the credential: the PAP password, or the CHAP exchange "<ident>:<challenge>:<response>" in lower-case
          hex ('' for 'verified'), compared whole with the one the portal stored
  ARGV[11] the salt that pseudonymises a MAC for the device count (sha1(salt .. mac); the MAC is not stored there)
  ARGV[12] how long per-day totals are kept, seconds
  ARGV[13] the request's key (NAS, Identifier, Request Authenticator): kept in the session as admitReq, so that a
          retransmission of the request that admitted it gets the same answer

  Returns an array {code, downKbps, upKbps, sessionTimeoutSec, bytesLeft, idleTimeoutSec, interimSec}
  code: 'ok' | 'check_password' (element 2 is the grant's password; nothing changed)
        | 'device_busy' (element 2 is the device's oldest live session; nothing changed) | 'wrong_password'
        | 'grant_invalid' | 'mac_mismatch' | 'hotspot_unknown' | 'closed_hours' | 'daily_limit' | 'hotspot_full'
        | 'pool_full' | 'voucher_invalid' | 'voucher_expired' | 'voucher_used_up' | 'hotspot_disabled'
        | 'device_blocked' (an operator blocked the device)

  The pool's capacity is multiplied by its `overbooking` factor (not every citizen saturates a link at once), and
  a hotspot with `openMinutes` (per WIB weekday, Sunday first: [from, to] minutes of the day, or false) admits
  only inside them.
  A repeated call with the same ARGV[13] from the same NAS within ARGV[8] ms answers 'ok' again with what the
  session holds (the grant is consumed by then; nothing changes). A refusal is not kept: a flood of refused
  requests leaves no key behind. A refused voucher login (after the credential check) gives back what redeeming
  its voucher did and consumes its grant, so its credentials cannot be presented again; the citizen taps again.
  Other refusals change nothing.

  Cost: this runs for every login, so it reads each key once and writes each once (the pool in one HSET, from the
  values it read), and hands redis.call text rather than numbers where it has the text (Redis prints a Lua number
  with "%.17g"). 16 or 17 commands for an admission; `npm run bench:pool` counts them.
]]
-- @include keys
-- @include time
-- @include ledger
-- @include voucher
-- @include device
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
  return {code, 0, 0, 0, 0, 0, 0}
end

if not grant[1] then
  -- No grant: spent by an admission (a retransmission of the request that made it gets the same answer, from the
  -- session), or never issued.
  local s = redis.call('HMGET', KEYS[5], 'admitReq', 'nasIp', 'admittedAt', 'downKbps', 'upKbps', 'timeoutSec',
    'bytesLimit', 'idleSec', 'interimSec')
  if ARGV[13] ~= '' and s[1] == ARGV[13] and s[2] == ARGV[5] then
    local _, nowMs = now()
    if nowMs - tonumber(s[3]) < tonumber(ARGV[8]) then
      return {'ok', tonumber(s[4]), tonumber(s[5]), tonumber(s[6]), tonumber(s[7]), tonumber(s[8]), tonumber(s[9])}
    end
  end
  return refuse('grant_invalid')
end
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
if redis.call('EXISTS', KEYS[8]) == 1 then return refuse('device_blocked') end
local maxSessions, downKbps, upKbps = tonumber(q[1]), tonumber(q[2]), tonumber(q[3])
local minDownKbps, minUpKbps = tonumber(q[4]), tonumber(q[5])
local sessionSec, dailySec = tonumber(q[6]) * 60, tonumber(q[7]) * 60
local dailyBytes = tonumber(q[8]) * MIB
local idleSec, interimSec = tonumber(q[9]) * 60, tonumber(q[10])

local nowSec, nowMs, nowMsText = now()
local day = wibDay(nowSec)
-- The day as text once: a number in a concatenation is printed with "%.14g" each time.
local dayText = string.format('%d', day)

if q[11] and q[11] ~= '' then
  local weekday, minute = wibWeekdayMinute(nowSec)
  local span = cjson.decode(q[11])[weekday + 1]
  if not span or span == cjson.null or minute < span[1] or minute >= span[2] then return refuse('closed_hours') end
end

-- The device's day and its live sessions, in one read of its (small) record.
local device = readDevice(KEYS[7], dayText)
local voucher = grant[5]
local secLeft, bytesLeft
if voucher then
  local left = voucherLeft(K.voucher(voucher), nowMs)
  if not left or not left.started or left.revoked then return refuse('voucher_invalid') end
  secLeft, bytesLeft = left.secLeft, left.bytesLeft
  if secLeft < 60 then return refuse('voucher_expired') end
  if bytesLeft < MIB then return refuse('voucher_used_up') end
else
  secLeft, bytesLeft = dailySec - device.usedSec, dailyBytes - device.usedBytes
  if secLeft < 60 or bytesLeft < MIB then return refuse('daily_limit') end
end

-- One device, a limited number of sessions at once. At the limit the caller ends the oldest (a phone that logs in
-- again has lost its session on the router, and must not be locked out until the reaper finds it); that is
-- decided last, once the new session would be admitted, and the slot it frees counts for a full hotspot.
local deviceLimit = tonumber(q[13] or '1')
local oldest = device.oldest
local replacing = device.live >= deviceLimit and oldest ~= nil
local freed = (replacing and redis.call('SISMEMBER', KEYS[3], oldest) == 1) and 1 or 0
if redis.call('SCARD', KEYS[3]) - freed >= maxSessions then return refuse('hotspot_full') end

local room = poolRoom(KEYS[1], hotspotId)
-- grant = min(ceiling, fair share), from what is free: a newcomer takes no more than an equal share of the pool
-- (the allocator evens shares out by weight later, and keeps room free for newcomers).
local n = room.sessions + 1
local grantDown = math.min(downKbps, room.freeDown, math.max(minDownKbps, math.floor(room.totalDown / n)))
local grantUp = math.min(upKbps, room.freeUp, math.max(minUpKbps, math.floor(room.totalUp / n)))
if grantDown < minDownKbps or grantUp < minUpKbps then return refuse('pool_full') end
-- A hotspot may hold at most maxShareKbps of the pool (download), so one busy park cannot take it all.
local maxShare = tonumber(q[12] or '0')
if maxShare and maxShare > 0 then
  grantDown = math.min(grantDown, maxShare - room.heldDown)
  if grantDown < minDownKbps then return refuse('hotspot_full') end
end

if replacing then return {'device_busy', oldest} end

-- A voucher runs until it ends; the hotspot's per-session limit rotates free access only.
local timeout = voucher and secLeft or math.min(sessionSec, secLeft)

redis.call('HSET', KEYS[5], 'state', 'pending', 'hotspotId', hotspotId, 'mac', mac, 'nasIp', ARGV[5], 'acctSessionId',
  ARGV[6], 'downKbps', grantDown == downKbps and q[2] or grantDown, 'upKbps', grantUp == upKbps and q[3] or grantUp,
  'admittedAt', nowMsText, 'sessionTime', '0', 'inputBytes', '0', 'outputBytes', '0', 'interimSec', q[10],
  'timeoutSec', timeout, 'idleSec', idleSec, 'bytesLimit', bytesLeft, 'admitReq', ARGV[13])
if voucher then redis.call('HSET', KEYS[5], 'voucher', voucher) end
bookSession(KEYS[1], room, KEYS[3], KEYS[7], hotspotId, sid, grantDown, grantUp, nowMsText)
-- A record that held usage gets its expiry again; a new one holds only this session until usage is written.
if device.found then redis.call('EXPIRE', KEYS[7], DEVICE_TTL_SEC) end
redis.call('ZADD', KEYS[6], nowMs + tonumber(ARGV[7]), sid)
redis.call('DEL', KEYS[4])
-- The day's totals for reports: a session, and the device counted once per hotspot and day, pseudonymised.
local dailyKey = K.daily(dayText)
local devicesKey = K.dailyDevices(dayText, hotspotId)
local first = redis.call('HINCRBY', dailyKey, hotspotField(hotspotId, 'sessions'), 1) == 1
redis.call('PFADD', devicesKey, redis.sha1hex(ARGV[11] .. mac))
-- The hotspot's first session of the day creates its device count and gives both keys their retention.
if first then
  redis.call('EXPIRE', dailyKey, ARGV[12])
  redis.call('EXPIRE', devicesKey, ARGV[12])
end

return {'ok', grantDown, grantUp, timeout, bytesLeft, idleSec, interimSec}

--[[
  redeem-voucher: checks a voucher for one device at one hotspot and, when it may be used, records the device
  and (on first use) starts its validity. Atomic, so that two phones racing for a voucher's last device slot
  cannot both get it.

  KEYS[1] voucher hash  (validityMinutes, deviceLimit, quotaMB, redeemBy, revoked, firstUsedAt, expiresAt,
                         usedBytes, hotspots and kecamatan: JSON arrays of hotspot ids and kecamatan names it
                         may be used at ('' and '' for everywhere); written here:
                         firstUsedAt, expiresAt, firstHotspot on first use, lastUsedAt and lastHotspot each time)
  KEYS[2] the voucher's device set (MACs)
  KEYS[3] the device's block key: a blocked device does not use up a voucher
  KEYS[4] the hotspot's hash, for its kecamatan: a voucher for a kecamatan is good at every hotspot there, those
          added after it was made too

  ARGV[1] MAC, normalised AA:BB:CC:DD:EE:FF
  ARGV[2] hotspot id
  ARGV[3] how long a voucher's records are kept after it ends, ms

  Returns {code, expiresAtMs, bytesLeft, startedClock, addedDevice}: the last two (1 or 0) say whether this call
  started the validity and added the device, which the admission gives back if RADIUS then refuses the login
  code: 'ok' | 'voucher_invalid' (no such code, or revoked) | 'voucher_wrong_hotspot' | 'voucher_expired'
        (validity over, or never used before its redeem-by date) | 'voucher_used_up' (no megabytes left)
        | 'voucher_devices' (already used on as many other devices as it allows) | 'device_blocked'
]]
-- @include time
-- @include voucher
if redis.call('EXISTS', KEYS[3]) == 1 then return {'device_blocked', 0, 0} end
local v = redis.call('HMGET', KEYS[1], 'validityMinutes', 'deviceLimit', 'quotaMB', 'redeemBy', 'revoked',
  'firstUsedAt', 'expiresAt', 'usedBytes', 'hotspots', 'kecamatan')
if not v[1] or v[5] == '1' then return {'voucher_invalid', 0, 0} end

local hotspots = (v[9] and v[9] ~= '') and cjson.decode(v[9]) or {}
local kecamatan = (v[10] and v[10] ~= '') and cjson.decode(v[10]) or {}
if #hotspots > 0 or #kecamatan > 0 then
  local allowed = false
  for _, id in ipairs(hotspots) do
    if id == ARGV[2] then allowed = true end
  end
  if not allowed and #kecamatan > 0 then
    local here = redis.call('HGET', KEYS[4], 'kecamatan')
    for _, k in ipairs(kecamatan) do
      if k == here then allowed = true end
    end
  end
  if not allowed then return {'voucher_wrong_hotspot', 0, 0} end
end

local _, nowMs = now()
local firstUse = not v[6] or v[6] == ''
if firstUse then
  if v[4] and v[4] ~= '' and nowMs > tonumber(v[4]) then return {'voucher_expired', 0, 0} end
elseif nowMs >= tonumber(v[7]) then
  return {'voucher_expired', tonumber(v[7]), 0}
end

local bytesLeft = voucherLeft(KEYS[1], nowMs).bytesLeft
if bytesLeft < MIB then return {'voucher_used_up', tonumber(v[7] or '0'), 0} end

local added = 0
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then
  if redis.call('SCARD', KEYS[2]) >= tonumber(v[2]) then return {'voucher_devices', tonumber(v[7] or '0'), bytesLeft} end
  redis.call('SADD', KEYS[2], ARGV[1])
  added = 1
end

local expiresAt = tonumber(v[7] or '0')
if firstUse then
  expiresAt = nowMs + tonumber(v[1]) * 60000
  redis.call('HSET', KEYS[1], 'firstUsedAt', nowMs, 'expiresAt', expiresAt, 'firstHotspot', ARGV[2])
end
redis.call('HSET', KEYS[1], 'lastUsedAt', nowMs, 'lastHotspot', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], expiresAt + tonumber(ARGV[3]))
redis.call('PEXPIREAT', KEYS[2], expiresAt + tonumber(ARGV[3]))
return {'ok', expiresAt, bytesLeft, firstUse and 1 or 0, added}

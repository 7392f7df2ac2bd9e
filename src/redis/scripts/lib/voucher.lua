--[[
  voucher: what a voucher has left, read the same way by redeeming, admission and accounting (and by
  src/vouchers/store.ts voucherState for the console).
]]
local MIB = 1048576

-- The voucher's state at nowMs: nil when there is no such voucher; otherwise a table with revoked (boolean),
-- started (first used), expiresAt (ms, 0 before first use), secLeft (nil before first use) and bytesLeft.
local function voucherLeft(voucherKey, nowMs)
  local v = redis.call('HMGET', voucherKey, 'quotaMB', 'usedBytes', 'revoked', 'expiresAt')
  if not v[1] then return nil end
  local started = v[4] ~= nil and v[4] ~= false and v[4] ~= ''
  local expiresAt = started and tonumber(v[4]) or 0
  return {
    revoked = v[3] == '1',
    started = started,
    expiresAt = expiresAt,
    secLeft = started and math.floor((expiresAt - nowMs) / 1000) or nil,
    bytesLeft = tonumber(v[1]) * MIB - tonumber(v[2] or '0'),
  }
end

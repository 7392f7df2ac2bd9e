--[[
  device: a device's record, the hash K.device(mac) (lib/keys.lua), read whole by the admission and kept small:
  - day, d<day>:s, d<day>:b: the WIB day of the usage it holds, and the seconds and bytes of free access the device
    used that day (a voucher session's usage is the voucher's). Writing the first usage of a new day removes the
    other day's fields, so a record holds one day's usage at most, however many days in a row the device comes;
  - l:<session id>: when each live session of the device was booked (ms), removed when the session closes;
  - the key expires DEVICE_TTL_SEC after the last usage written, or the last admission of a device that had a
    record; a record of live-session entries alone has no expiry and goes with its last session (HDEL of the last
    field deletes a hash).
  So a record has at most three usage fields and one field per live session of the device.
]]
local DEVICE_TTL_SEC = 172800

-- The fields of a day's seconds and bytes (`day`: the WIB day number, better as text).
local function deviceDayFields(day)
  local d = 'd' .. day
  return d .. ':s', d .. ':b'
end

-- What the device used on `day` and its live sessions (how many; the oldest and when it was booked), in one read;
-- `found`: whether it has a record at all.
local function readDevice(deviceKey, day)
  local secField, byteField = deviceDayFields(day)
  local r = { usedSec = 0, usedBytes = 0, live = 0 }
  local fields = redis.call('HGETALL', deviceKey)
  r.found = #fields > 0
  for i = 1, #fields, 2 do
    local f = fields[i]
    if string.sub(f, 1, 2) == 'l:' then
      r.live = r.live + 1
      local at = tonumber(fields[i + 1])
      if not r.oldestAt or at < r.oldestAt then r.oldest, r.oldestAt = string.sub(f, 3), at end
    elseif f == secField then
      r.usedSec = tonumber(fields[i + 1])
    elseif f == byteField then
      r.usedBytes = tonumber(fields[i + 1])
    end
  end
  return r
end

-- Adds seconds and bytes to the device's usage on `day`, removing another day's; returns the day's totals now.
-- Totals are whole numbers below 2^50, written with %.0f (exact; "%.17g" would do, at more cost).
local function addDeviceUsage(deviceKey, day, dSec, dBytes)
  local secField, byteField = deviceDayFields(day)
  local u = redis.call('HMGET', deviceKey, 'day', secField, byteField)
  if not u[1] then
    -- A new record, or one from before the day was kept: any other day's usage goes.
    local stale = {}
    for _, f in ipairs(redis.call('HKEYS', deviceKey)) do
      if string.sub(f, 1, 1) == 'd' and f ~= secField and f ~= byteField and string.match(f, '^d%d+:[sb]$') then
        stale[#stale + 1] = f
      end
    end
    if #stale > 0 then redis.call('HDEL', deviceKey, unpack(stale)) end
  elseif tonumber(u[1]) ~= day then
    redis.call('HDEL', deviceKey, 'd' .. u[1] .. ':s', 'd' .. u[1] .. ':b')
  end
  local usedSec, usedBytes = tonumber(u[2] or '0') + dSec, tonumber(u[3] or '0') + dBytes
  redis.call('HSET', deviceKey, 'day', day, secField, string.format('%.0f', usedSec), byteField,
    string.format('%.0f', usedBytes))
  return usedSec, usedBytes
end

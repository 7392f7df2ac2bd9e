--[[
  time: the ledger's clock is Redis's (every Limpah process agrees on it), and its days are WIB days
  (Kotawaringin Timur keeps UTC+7 all year), as src/time.ts computes them.
]]
local WIB_OFFSET_SEC = 25200

-- Redis time now: whole seconds and milliseconds since the epoch, and the milliseconds as text, made from TIME's
-- own digits (a number handed to redis.call is printed with "%.17g", which costs more than the call's command).
local function now()
  local t = redis.call('TIME')
  local sec = tonumber(t[1])
  local us = t[2]
  local msText = t[1] .. string.sub('000' .. (#us > 3 and string.sub(us, 1, #us - 3) or ''), -3)
  return sec, sec * 1000 + math.floor(tonumber(us) / 1000), msText
end

-- The WIB day number of a Unix time in seconds (the `d<day>:` fields of a device, the per-day totals).
local function wibDay(sec)
  return math.floor((sec + WIB_OFFSET_SEC) / 86400)
end

-- The WIB weekday (0 = Sunday) and minute of the day of a Unix time in seconds.
local function wibWeekdayMinute(sec)
  local wib = sec + WIB_OFFSET_SEC
  -- The epoch's WIB day 0 was a Thursday.
  return (math.floor(wib / 86400) + 4) % 7, math.floor((wib % 86400) / 60)
end

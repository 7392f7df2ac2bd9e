--[[
  keys: the keys a script builds itself, because it learns their names only while it runs (a session's stored MAC
  or hotspot, the day from Redis time, a voucher code from a grant). Keys the caller knows come in KEYS.

  Every script that includes this takes the key prefix as ARGV[1]: `{<namespace>}:`, the hash tag every Limpah
  key starts with, so that what is built here is in the same Cluster slot as KEYS. Each function mirrors the
  method of the same name in src/redis/keys.ts (test/integration/lua-keys.test.ts checks that they agree).
]]
local PREFIX = ARGV[1]
local K = {}
function K.hotspot(id) return PREFIX .. 'hotspot:' .. id end
function K.hotspotLive(id) return PREFIX .. 'hotspot:' .. id .. ':live' end
function K.device(mac) return PREFIX .. 'device:' .. mac end
function K.deviceBlock(mac) return PREFIX .. 'device-block:' .. mac end
function K.voucher(code) return PREFIX .. 'voucher:' .. code end
function K.voucherDevices(code) return PREFIX .. 'voucher:' .. code .. ':devices' end
function K.daily(day) return PREFIX .. 'daily:' .. day end
function K.dailyDevices(day, hotspotId) return PREFIX .. 'daily-devices:' .. day .. ':' .. hotspotId end
function K.operator(username) return PREFIX .. 'operator:' .. username end

-- A hotspot's field in the pool hash ('down', 'up') or in a day's totals ('sessions', 'sec', 'bytes', 'kbpsSec'),
-- as hotspotField in src/redis/keys.ts.
local function hotspotField(hotspotId, what) return 'h:' .. hotspotId .. ':' .. what end

--[[
  account: apply one Accounting-Request (Start, Interim-Update or Stop) to a session and the pool, atomically.
  Counters are totals from the NAS; only the growth since the last stored record is added to the device's daily
  usage, so a retransmitted or duplicated packet counts once.

  A session the reaper closed (terminateCause 'lease-expired' or 'never-started') whose NAS still reports it is
  alive after all: its usage still counts, and a Start or Interim revives it. It is booked again at its rate, or
  at what the pool has left if that is less (never beyond capacity), and marked needsRerate=1 so that the
  allocator brings the router's rate in line.

  KEYS[1] pool hash
  KEYS[2] session hash
  KEYS[3] hotspot live set of the session's hotspot
  KEYS[4] leases sorted set
  KEYS[5] device usage hash of the session's MAC
  KEYS[6] unmatched accounting list

  ARGV[1] status: 'start' | 'interim' | 'stop'
  ARGV[2] session id (User-Name)
  ARGV[3] Acct-Session-Id
  ARGV[4] Acct-Session-Time, seconds (whole number below 2^50)
  ARGV[5] input octets, including gigawords (the client's upload; whole number below 2^50)
  ARGV[6] output octets, including gigawords (the client's download; whole number below 2^50)
  ARGV[7] Acct-Terminate-Cause ('' if absent)
  ARGV[8] JSON of the record, kept in KEYS[6] when no session matches
  ARGV[9] retention of a closed session record, and of unmatched records, seconds
  ARGV[10] hotspot id the caller built KEYS[3] from (must be the session's)
  ARGV[11] Framed-IP-Address ('' if absent)

  Returns {code, state}
  code: 'ok' | 'duplicate' (nothing changed) | 'closed' (session already closed by a Stop or an operator)
        | 'revived' (a reaped session reported alive again) | 'unknown' (no session; recorded) | 'mismatch'
]]
local status, sid = ARGV[1], ARGV[2]

if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('LPUSH', KEYS[6], ARGV[8])
  redis.call('LTRIM', KEYS[6], 0, 9999)
  redis.call('EXPIRE', KEYS[6], tonumber(ARGV[9]))
  return {'unknown', ''}
end

local s = redis.call('HMGET', KEYS[2], 'state', 'sessionTime', 'inputBytes', 'outputBytes', 'downKbps', 'upKbps',
  'hotspotId', 'interimSec', 'terminateCause')
local state = s[1]
if s[7] ~= ARGV[10] then return {'mismatch', state} end
local reaped = state == 'closed' and (s[9] == 'lease-expired' or s[9] == 'never-started')
if state == 'closed' and not reaped then return {'closed', state} end

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
if dTime > 0 then
  redis.call('HSET', KEYS[2], 'sessionTime', int(newTime))
  redis.call('HINCRBY', KEYS[5], 'd' .. day .. ':s', int(dTime))
end
if dIn > 0 then redis.call('HSET', KEYS[2], 'inputBytes', int(newIn)) end
if dOut > 0 then redis.call('HSET', KEYS[2], 'outputBytes', int(newOut)) end
if dIn + dOut > 0 then redis.call('HINCRBY', KEYS[5], 'd' .. day .. ':b', int(dIn + dOut)) end
if changed then redis.call('EXPIRE', KEYS[5], 172800) end
if ARGV[11] ~= '' then redis.call('HSET', KEYS[2], 'framedIp', ARGV[11]) end

if status == 'stop' then
  redis.call('HSET', KEYS[2], 'lastSeen', nowMs)
  if reaped then return {changed and 'ok' or 'duplicate', 'closed'} end
  redis.call('HSET', KEYS[2], 'state', 'closed', 'closedAt', nowMs, 'terminateCause', ARGV[7])
  redis.call('HINCRBY', KEYS[1], 'allocDownKbps', 0 - tonumber(s[5]))  -- 0 - x, not -x: HINCRBY refuses "-0"
  redis.call('HINCRBY', KEYS[1], 'allocUpKbps', 0 - tonumber(s[6]))  -- 0 - x, not -x: HINCRBY refuses "-0"
  redis.call('HINCRBY', KEYS[1], 'sessions', -1)
  redis.call('SREM', KEYS[3], sid)
  redis.call('ZREM', KEYS[4], sid)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[9]))
  return {'ok', 'closed'}
end

-- Start or Interim: the session is active and its lease is renewed (2.5 interim intervals).
redis.call('ZADD', KEYS[4], nowMs + math.floor(tonumber(s[8]) * 2500), sid)
redis.call('HSET', KEYS[2], 'lastSeen', nowMs)
if reaped then
  local p = redis.call('HMGET', KEYS[1], 'capDownKbps', 'capUpKbps', 'allocDownKbps', 'allocUpKbps', 'overbooking')
  local overbook = tonumber(p[5] or '1')
  local down = math.max(0, math.min(tonumber(s[5]), math.floor(tonumber(p[1] or '0') * overbook) - tonumber(p[3] or '0')))
  local up = math.max(0, math.min(tonumber(s[6]), math.floor(tonumber(p[2] or '0') * overbook) - tonumber(p[4] or '0')))
  redis.call('HSET', KEYS[2], 'state', 'active', 'terminateCause', '', 'revivedAt', nowMs, 'downKbps', down, 'upKbps', up)
  if down < tonumber(s[5]) or up < tonumber(s[6]) then redis.call('HSET', KEYS[2], 'needsRerate', 1) end
  redis.call('HDEL', KEYS[2], 'closedAt')
  redis.call('PERSIST', KEYS[2])
  redis.call('HINCRBY', KEYS[1], 'allocDownKbps', down)
  redis.call('HINCRBY', KEYS[1], 'allocUpKbps', up)
  redis.call('HINCRBY', KEYS[1], 'sessions', 1)
  redis.call('SADD', KEYS[3], sid)
  return {'revived', 'active'}
end
if state ~= 'active' then
  redis.call('HSET', KEYS[2], 'state', 'active', 'startedAt', nowMs, 'acctSessionId', ARGV[3])
  return {'ok', 'active'}
end
if not changed then return {'duplicate', 'active'} end
return {'ok', 'active'}

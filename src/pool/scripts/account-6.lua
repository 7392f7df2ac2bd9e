--[[
  account: apply one Accounting-Request (Start, Interim-Update or Stop) to a session and the pool, atomically.
  Counters are totals from the NAS; only the growth since the last stored record is added to the device's daily
  usage, so a retransmitted or duplicated packet counts once.

  KEYS[1] pool hash
  KEYS[2] session hash
  KEYS[3] hotspot live set
  KEYS[4] leases sorted set
  KEYS[5] device usage hash
  KEYS[6] unmatched accounting list

  ARGV[1] status: 'start' | 'interim' | 'stop'
  ARGV[2] session id (User-Name)
  ARGV[3] Acct-Session-Id
  ARGV[4] Acct-Session-Time, seconds
  ARGV[5] input octets, including gigawords (the client's upload)
  ARGV[6] output octets, including gigawords (the client's download)
  ARGV[7] Acct-Terminate-Cause ('' if absent)
  ARGV[8] JSON of the record, kept in KEYS[6] when no session matches
  ARGV[9] retention of a closed session record, seconds

  Returns {code, state}
  code: 'ok' | 'duplicate' (nothing changed) | 'closed' (session already closed) | 'unknown' (no session; recorded)
]]
local status, sid = ARGV[1], ARGV[2]

if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('LPUSH', KEYS[6], ARGV[8])
  redis.call('LTRIM', KEYS[6], 0, 9999)
  return {'unknown', ''}
end

local s = redis.call('HMGET', KEYS[2], 'state', 'sessionTime', 'inputBytes', 'outputBytes', 'downKbps', 'upKbps',
  'hotspotId', 'interimSec', 'mac')
local state = s[1]
if state == 'closed' then return {'closed', state} end

local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local day = math.floor((tonumber(t[1]) + 25200) / 86400)

local newTime, newIn, newOut = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local dTime = math.max(0, newTime - tonumber(s[2]))
local dIn = math.max(0, newIn - tonumber(s[3]))
local dOut = math.max(0, newOut - tonumber(s[4]))

local changed = dTime > 0 or dIn > 0 or dOut > 0
if dTime > 0 then
  redis.call('HSET', KEYS[2], 'sessionTime', newTime)
  redis.call('HINCRBY', KEYS[5], 'd' .. day .. ':s', dTime)
end
if dIn > 0 then redis.call('HSET', KEYS[2], 'inputBytes', string.format('%.0f', newIn)) end
if dOut > 0 then redis.call('HSET', KEYS[2], 'outputBytes', string.format('%.0f', newOut)) end
if dIn + dOut > 0 then
  redis.call('HINCRBY', KEYS[5], 'd' .. day .. ':b', dIn + dOut)
end
if changed then redis.call('EXPIRE', KEYS[5], 172800) end

if status == 'stop' then
  redis.call('HSET', KEYS[2], 'state', 'closed', 'closedAt', nowMs, 'terminateCause', ARGV[7], 'lastSeen', nowMs)
  redis.call('HINCRBY', KEYS[1], 'allocDownKbps', -tonumber(s[5]))
  redis.call('HINCRBY', KEYS[1], 'allocUpKbps', -tonumber(s[6]))
  redis.call('HINCRBY', KEYS[1], 'sessions', -1)
  redis.call('SREM', KEYS[3], sid)
  redis.call('ZREM', KEYS[4], sid)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[9]))
  return {'ok', 'closed'}
end

-- Start or Interim: the session is active and its lease is renewed (2.5 interim intervals).
local lease = nowMs + math.floor(tonumber(s[8]) * 2500)
redis.call('ZADD', KEYS[4], lease, sid)
redis.call('HSET', KEYS[2], 'lastSeen', nowMs)
if state ~= 'active' then
  redis.call('HSET', KEYS[2], 'state', 'active', 'startedAt', nowMs, 'acctSessionId', ARGV[3])
  return {'ok', 'active'}
end
if not changed then return {'duplicate', 'active'} end
return {'ok', 'active'}

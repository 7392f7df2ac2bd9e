--[[
  record-refusal: keeps the last RADIUS refusal of a device at a hotspot, for the portal to explain it, in one hash
  per hotspot with a cap on its size: a flood of refusals for made-up devices cannot grow Redis beyond the cap.
  Entries older than the window are not read (the reader checks atMs); the whole hash expires a window after its
  last write. A device already in the hash is always updated; a new one only while the hash is under the cap, once
  the entries older than the window have been dropped to make room.

  KEYS[1] the hotspot's refusals hash (field: MAC, value: JSON { reason, atMs })

  ARGV[1] MAC
  ARGV[2] JSON of the refusal
  ARGV[3] the cap: entries at most
  ARGV[4] the window, ms

  Returns 1 (recorded) | 0 (the hash is full; not recorded)
]]
-- @include time
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  -- Full: entries older than the window are no longer read, so they make room (one pass, only when full).
  local _, nowMs = now()
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local ok, r = pcall(cjson.decode, all[i + 1])
    if not ok or type(r) ~= 'table' or not r.atMs or nowMs - tonumber(r.atMs) > tonumber(ARGV[4]) then
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1

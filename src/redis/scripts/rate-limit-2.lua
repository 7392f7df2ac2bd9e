--[[
  rate-limit: a fixed-window limit on two counters at once (a device and the network it asks from), checked and
  counted in one step, so parallel requests cannot pass it together; each window starts at its counter's first
  hit. Counts only what it lets through, so a refused device does not use up its network's allowance.

  KEYS[1] the device's counter
  KEYS[2] the source network's counter

  ARGV[1] the device's limit per window
  ARGV[2] the source network's limit per window
  ARGV[3] window length, ms

  Returns 0 (allowed) | 1 (device over its limit) | 2 (source over its limit)
]]
local device = tonumber(redis.call('GET', KEYS[1]) or '0')
if device >= tonumber(ARGV[1]) then return 1 end
local source = tonumber(redis.call('GET', KEYS[2]) or '0')
if source >= tonumber(ARGV[2]) then return 2 end
for i = 1, 2 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[3])) end
end
return 0

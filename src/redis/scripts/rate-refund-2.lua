--[[
  rate-refund: gives back one hit taken by rate-limit on two counters, for an attempt that turned out not to count
  (a voucher code that exists). A counter that has expired meanwhile is left alone: no key without an expiry.

  KEYS[1] the first counter (a device's)
  KEYS[2] the second counter (a source network's)

  Returns the number of counters given back to (0-2).
]]
local n = 0
for i = 1, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then
    redis.call('DECR', KEYS[i])
    n = n + 1
  end
end
return n

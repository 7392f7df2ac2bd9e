--[[
  login-attempt: counts a console sign-in attempt against three fixed-window counters at once, before the password
  is checked, so that parallel guesses cannot all slip under a limit while scrypt runs. Each window starts at its
  counter's first hit. Counts only what it lets through: an address that keeps trying past its own limit neither
  uses up the account's allowance (one stranger could then lock the account for everyone) nor makes new keys.

  KEYS[1] failures of this account from this address
  KEYS[2] failures of this account from every address
  KEYS[3] failures from this address, at every account

  ARGV[1] the limit of KEYS[1] per window
  ARGV[2] the limit of KEYS[2] per window
  ARGV[3] the limit of KEYS[3] per window
  ARGV[4] window length, ms

  Returns {0, 0}: counted in all three, check the password
        | {i, ms}: refused and counted nowhere; KEYS[i] is at its limit for ms more
]]
local window = tonumber(ARGV[4])
for i = 1, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then
    local ms = redis.call('PTTL', KEYS[i])
    -- A counter must never outlive its window (a key left without one would lock forever).
    if ms < 0 then
      redis.call('PEXPIRE', KEYS[i], window)
      ms = window
    end
    return {i, ms}
  end
end
for i = 1, 3 do
  redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], window) end
end
return {0, 0}

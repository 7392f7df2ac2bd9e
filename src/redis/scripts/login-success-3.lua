--[[
  login-success: after the right password, forgets this account's failures from this address (the user's own
  typos) and takes back the one attempt login-attempt counted for the account and for the address. The account's
  failures from elsewhere stay: a user signing in must not hand a distributed guesser a fresh allowance. Never
  goes below zero and never makes a key (a DECR on a key that has just expired would leave one with no expiry).

  KEYS[1] failures of this account from this address (deleted)
  KEYS[2] failures of this account from every address (one less)
  KEYS[3] failures from this address, at every account (one less)

  Returns 0
]]
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0

--[[
  set-operator-role: changes an operator's role and whether it is disabled, unless that would leave no enabled
  admin. Atomic, so two admins demoting each other at once cannot both succeed.

  KEYS[1] the set of operator usernames
  KEYS[2] the operator's hash (role, disabled)

  ARGV[1] the key prefix (lib/keys.lua): the other operators' hashes are read to count the enabled admins
  ARGV[2] the operator's username
  ARGV[3] the new role ('admin' | 'operator' | 'viewer')
  ARGV[4] '1' to disable the account, '0' to enable it

  Returns 1 (changed) | 0 (refused: no enabled admin would be left) | -1 (no such operator)
]]
-- @include keys
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local admins = 0
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local role, disabled
  if name == ARGV[2] then
    role, disabled = ARGV[3], ARGV[4]
  else
    local o = redis.call('HMGET', K.operator(name), 'role', 'disabled')
    role, disabled = o[1], o[2]
  end
  if role == 'admin' and disabled ~= '1' then admins = admins + 1 end
end
if admins == 0 then return 0 end
redis.call('HSET', KEYS[2], 'role', ARGV[3], 'disabled', ARGV[4])
return 1

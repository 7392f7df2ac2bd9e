--[[
  allocator-lease: take or renew the allocator's lease. One process at a time allocates; each new holder gets a
  new epoch, and writes carrying an older epoch are refused (rerate checks it), so a stalled allocator that wakes
  up after losing its lease can never overwrite a newer one.

  KEYS[1] lease (string "<epoch>:<owner>", expiring)
  KEYS[2] epoch counter

  ARGV[1] owner id (unique per process)
  ARGV[2] lease time, ms

  Returns the epoch held (a positive number), or 0 when another process holds the lease.
]]
local current = redis.call('GET', KEYS[1])
if current then
  local epoch, owner = string.match(current, '^(%d+):(.*)$')
  if owner ~= ARGV[1] then return 0 end
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return tonumber(epoch)
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], epoch .. ':' .. ARGV[1], 'PX', tonumber(ARGV[2]))
return epoch

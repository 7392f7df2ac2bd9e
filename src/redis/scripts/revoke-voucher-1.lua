--[[
  revoke-voucher: marks a voucher revoked, if its record still exists. A plain HSET on a record that expired a
  moment before would bring it back as a stub without an expiry.

  KEYS[1] voucher hash

  Returns 1 (revoked) | 0 (no such voucher)
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'revoked', 1)
return 1

--[[
  record-usage: store agencies' measured usage, keeping for each agency only its newest measurement, so that
  batches arriving out of order never move an agency back in time.

  KEYS[1] agency usage hash (agency id -> JSON with atMs)

  ARGV    triples: agency id, measurement time (ms), JSON record

  Returns the number of agencies updated.
]]
local updated = 0
for i = 1, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local newer = true
  if current then newer = tonumber(ARGV[i + 1]) >= tonumber(cjson.decode(current).atMs) end
  if newer then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    updated = updated + 1
  end
end
return updated

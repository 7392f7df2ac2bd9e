-- wrk script of the portal benchmark (bench/portal.ts): replays prepared POSTs, in order, round and round.
--   wrk -t <threads> ... -s bench/portal-replay.lua <url> -- <requests file> <path> <threads>
-- Each line of the requests file is "<X-Forwarded-For>\t<urlencoded body>". With several threads, thread k
-- takes lines k, k+n, k+2n, ... so that no two threads send the same request at once. Requests are formatted once,
-- in init, so that wrk spends its time sending.
local counter = 0

-- Runs in the main state, once per thread before it starts: numbers the threads (a global `id` in each).
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local requests = {}
local n = 0
local i = 0

function init(args)
  local threads = tonumber(args[3]) or 1
  local me = id or 0
  local file = assert(io.open(args[1], "r"))
  local line_number = 0
  for line in file:lines() do
    if line_number % threads == me then
      local xff, body = line:match("^([^\t]*)\t(.*)$")
      n = n + 1
      requests[n] = wrk.format("POST", args[2], {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Accept-Encoding"] = "gzip",
        ["Accept-Language"] = "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
        ["X-Forwarded-For"] = xff,
      }, body)
    end
    line_number = line_number + 1
  end
  file:close()
  assert(n > 0, "no requests in " .. args[1])
end

function request()
  i = i % n + 1
  return requests[i]
end

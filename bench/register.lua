-- wrk script: the registration POST with real sessions. The bench fetched N form pages first and
-- wrote one "cookie<TAB>csrf token" line per session; every request uses one of them and a new email.
--   wrk ... -s bench/register.lua URL -- SESSIONS_FILE PATH FORM_FIELDS
-- A registration answers 303 (to the manage page); any other status is counted and printed at the end.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  sessions = {}
  for line in io.lines(args[1]) do
    local cookie, token = line:match("^([^\t]+)\t([^\t]+)$")
    table.insert(sessions, {cookie = cookie, token = token})
  end
  path, fields = args[2], args[3]
  counter, unexpected = 0, 0
end

function request()
  counter = counter + 1
  local session = sessions[(counter * 2 + id) % #sessions + 1]
  local body = fields .. "&email=w" .. id .. "-" .. counter .. "%40bench.example&csrf_token=" .. session.token
  return wrk.format("POST", path, {["Cookie"] = session.cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function response(status, headers, body)
  if status ~= 303 then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  io.write(string.format("UNEXPECTED %d\n", total))
end

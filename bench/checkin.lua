-- wrk script: the door's check-in POST, signed in as the event's organizer. Each request checks in
-- another attendee (references FORMAT % n, n distinct across threads) until they run out; then the
-- app answers "already checked in", also a 303.
--   wrk ... -s bench/checkin.lua URL -- COOKIE CSRF_TOKEN PATH REFERENCE_FORMAT THREADS ATTENDEES

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  cookie, token, path, reference_format = args[1], args[2], args[3], args[4]
  thread_count, attendees = tonumber(args[5]), tonumber(args[6])
  counter, unexpected = 0, 0
end

function request()
  local number = (counter * thread_count + id) % attendees
  counter = counter + 1
  local body = "reference=" .. string.format(reference_format, number) .. "&csrf_token=" .. token
  return wrk.format("POST", path, {["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
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

-- wrk script for `sunlight serve`: many connections POSTing valid submissions, every
-- acknowledgement written down so the test can prove each one is in the store exactly once.
--
--   wrk -t2 -c32 -d10s --latency -s tests/serve/load.lua http://127.0.0.1:PORT \
--       -- BODIES.ndjson ACKED_PREFIX MAX_PER_THREAD THREADS
--
-- BODIES.ndjson: one submission per line (tests/examples/load-submissions.rs). Thread i of
-- THREADS posts the lines n with n % THREADS == i - 1, in order, and starts again from its first
-- when it runs out (those are resubmissions, answered 200). It stops after MAX_PER_THREAD
-- answers. Each 200/201 answer is appended, flushed at once, to ACKED_PREFIX.i as
-- "STATUS HASH", so the file holds every acknowledgement even if wrk or the server is killed.

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

function init(args)
  local file, prefix = args[1], args[2]
  limit = tonumber(args[3])
  local n = tonumber(args[4])
  bodies = {}
  local i = 0
  for line in io.lines(file) do
    if i % n == id - 1 then
      bodies[#bodies + 1] = wrk.format("POST", "/api/v1/submissions",
        { ["Content-Type"] = "application/json" }, line)
    end
    i = i + 1
  end
  acked = assert(io.open(prefix .. "." .. id, "a"))
  sent, answered = 0, 0
  statuses = {}
end

function request()
  sent = sent + 1
  return bodies[((sent - 1) % #bodies) + 1]
end

function response(status, headers, body)
  answered = answered + 1
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 201 or status == 200 then
    local hash = body:match('"hash":"(sha256:%x+)"')
    acked:write(status, " ", hash or "?", "\n")
    acked:flush()
  end
  if answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format(
    "load: %d answers in %.2f s = %.0f/s; latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do
      total[k] = (total[k] or 0) + v
    end
  end
  local parts = {}
  for k, v in pairs(total) do
    parts[#parts + 1] = k .. ": " .. v
  end
  table.sort(parts)
  io.write("load: statuses ", table.concat(parts, ", "), "\n")
  io.write(string.format("load: errors connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end

-- wrk script of bench/load.sh: rotates over the cookie/path pairs of a targets file (one
-- "COOKIE<TAB>PATH" a line, written by loadgen.py targets), sends browser-like headers, counts
-- every answer other than 200 as bad, and prints one JSON object at the end.
-- Usage: wrk -t2 -c32 -d30s -s bench/rotate.lua http://127.0.0.1:PORT -- TARGETS_FILE

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  cookies, paths = {}, {}
  for line in io.lines(args[1]) do
    local c, p = line:match("^([^\t]*)\t(.*)$")
    table.insert(cookies, c)
    table.insert(paths, p)
  end
  -- Each thread starts at another place in the rotation.
  idx = (id * 7919) % #paths
  bad = 0
end

function request()
  idx = idx % #paths + 1
  local h = {
    ["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ["Accept-Encoding"] = "gzip, deflate, br",
  }
  if cookies[idx] ~= "" then h["Cookie"] = cookies[idx] end
  return wrk.format("GET", paths[idx], h)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, t in ipairs(threads) do not_ok = not_ok + t:get("bad") end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    '{"mode":"saturation","requests":%d,"duration_s":%.2f,"requests_per_s":%.1f,' ..
    '"not_200":%d,"non_2xx_3xx":%d,"socket_errors":%d,"errors":%d,' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    not_ok, e.status, socket_errors, not_ok + socket_errors,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end

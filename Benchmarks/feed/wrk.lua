-- wrk script: rotates Bearer tokens (TOKENS file, one a line) when PATH_ is the home timeline; prints one JSON line.
local tokens = {}
local path = os.getenv("BENCH_PATH") or "/healthz"
local tf = os.getenv("BENCH_TOKENS")
if tf then for line in io.lines(tf) do if #line > 0 then tokens[#tokens + 1] = line end end end
local i = math.random(1, 1000)
-- BENCH_DELAY_MS: each connection waits this long on average (0.5x-1.5x, so they do not march in step)
-- between a response and its next request: a fixed offered load instead of as fast as possible.
local pace = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pace > 0 then
  delay = function() return pace * (0.5 + math.random()) end
end
request = function()
  i = i + 1
  if #tokens > 0 then
    return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
  end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('{"path":"%s","requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"errors":%d,"non2xx":%d}\n',
    path, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, non2xx))
end

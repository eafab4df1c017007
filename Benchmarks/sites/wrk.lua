-- wrk script: GET BENCH_PATH, or with BENCH_SITES/BENCH_PAGES set a random page of a random site
-- (/sites/sNNNN/pNN, p00 being the home page); prints one JSON line.
local path = os.getenv("BENCH_PATH") or "/healthz"
local sites = tonumber(os.getenv("BENCH_SITES") or "0")
local pages = tonumber(os.getenv("BENCH_PAGES") or "0")
local lang = os.getenv("BENCH_LANG") or "ko"
local bytes = 0
request = function()
  if sites > 0 then
    local p = math.random(0, pages - 1)
    local slug = p == 0 and "" or string.format("p%02d", p)
    return wrk.format("GET", string.format("/sites/s%04d/%s", math.random(0, sites - 1), slug), { ["Accept-Language"] = lang })
  end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format('{"path":"%s","requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"errors":%d,"non2xx":%d}\n',
    sites > 0 and "/sites/*" or path, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end

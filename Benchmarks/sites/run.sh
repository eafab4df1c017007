#!/usr/bin/env bash
# Sites benchmark (issue 18, "Speed"): site pages per second against a static file of about the same size
# served by the same server (/static/feed.HASH.js, beside /healthz in OpsRoutes), with 1,000 sites of 100
# pages each. See docs/BENCHMARKS.md "Site pages".
#
#   Benchmarks/sites/run.sh [--bin PATH] [--sites 1000] [--pages 100] [--body-bytes 2700] [--duration 15]
#                           [--repeats 3] [--conns 32] [--threads 2] [--out DIR] [--data DIR]
#
# Every timed run goes under `flock /tmp/starcon-bench.lock`. --data reuses a generated data directory.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; ROOT="$(cd "$HERE/../.." && pwd)"
BIN=/tmp/sites2-release/release/starcon; SITES=1000; PAGES=100; BODY=2700; DURATION=15; REPEATS=3; CONNS=32; THREADS=2
OUT=/tmp/sites-bench-$(date +%Y%m%d-%H%M%S); DATA=""; PASSWORD=benchpass123; PORT=18490
PY="$ROOT/.venv/bin/python"; [ -x "$PY" ] || PY=python3
while [ $# -gt 0 ]; do case "$1" in
  --bin) BIN=$2; shift 2;; --sites) SITES=$2; shift 2;; --pages) PAGES=$2; shift 2;; --body-bytes) BODY=$2; shift 2;;
  --duration) DURATION=$2; shift 2;; --repeats) REPEATS=$2; shift 2;; --conns) CONNS=$2; shift 2;; --threads) THREADS=$2; shift 2;;
  --out) OUT=$2; shift 2;; --data) DATA=$2; shift 2;;
  -h|--help) sed -n 2,8p "$0"; exit 0;; *) echo "unknown option $1" >&2; exit 2;; esac; done
[ -x "$BIN" ] || { echo "no starcon binary at $BIN (build: swift build -c release --product starcon --scratch-path /tmp/sites2-release)" >&2; exit 1; }
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null
mkdir -p "$OUT"; RESULTS="$OUT/results.jsonl"; : > "$RESULTS"
if [ -z "$DATA" ]; then
  DATA="$OUT/data"; mkdir -p "$DATA"
  "$BIN" migrate --data "$DATA" >/dev/null
  echo "$PASSWORD" | "$BIN" user add bench --data "$DATA" >/dev/null
  "$PY" "$HERE/gen.py" "$DATA/starcon.sqlite" --sites "$SITES" --pages "$PAGES" --body-bytes "$BODY" 2>&1 | tee "$OUT/gen.log"
fi
SERVER_PID=""
stop_server() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi; }
trap stop_server EXIT INT TERM
"$BIN" serve --data "$DATA" --http-port $PORT --nntp-port 0 --smtp-port 0 --imap-port 0 > "$OUT/server.log" 2>&1 & SERVER_PID=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
STATIC="/static/feed.$(sha256sum "$ROOT/Sources/StarconWeb/Assets/feed.js" | cut -c1-12).js"
static_size=$(curl -fs "http://127.0.0.1:$PORT$STATIC" | wc -c)
page_sizes=$(for p in p01 p10 p30 p70 p99; do curl -fs -H 'Accept-Language: ko' "http://127.0.0.1:$PORT/sites/s0007/$p" | wc -c; done | tr '\n' ' ')
echo "{\"static\":\"$STATIC\",\"static_bytes\":$static_size,\"page_bytes\":\"$page_sizes\"}" | tee "$OUT/sizes.json"
load() { # LABEL [ENV...]
  local label=$1; shift
  env "$@" flock /tmp/starcon-bench.lock wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" --timeout 10s -s "$HERE/wrk.lua" "http://127.0.0.1:$PORT" \
    | grep '^{' | sed "s/^{/{\"label\":\"$label\",\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",/" | tee -a "$RESULTS"; }
# Warm-up (page cache, SQLite caches), not recorded.
DURATION=3 load warmup BENCH_SITES="$SITES" BENCH_PAGES="$PAGES" > /dev/null
for r in $(seq 1 "$REPEATS"); do
  # Interleaved, so a noisy neighbour hits both: static, pages, pages, static, …
  if [ $((r % 2)) -eq 1 ]; then
    load static BENCH_PATH="$STATIC"; load pages BENCH_SITES="$SITES" BENCH_PAGES="$PAGES"
  else
    load pages BENCH_SITES="$SITES" BENCH_PAGES="$PAGES"; load static BENCH_PATH="$STATIC"
  fi
done
"$PY" - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(label): return statistics.median(r["rps"] for r in rows if r["label"] == label)
for label in ["static", "pages"]:
    rs = [r for r in rows if r["label"] == label]
    print(f"{label:7s} median {med(label):8.1f} req/s  runs {[r['rps'] for r in rs]}  p50 {[r['p50_ms'] for r in rs]} ms  errors {sum(r['errors'] + r['non2xx'] for r in rs)}")
pairs = [(s["rps"], p["rps"]) for s, p in zip([r for r in rows if r["label"] == "static"], [r for r in rows if r["label"] == "pages"])]
print("ratio pages/static per repeat:", [round(p / s, 3) for s, p in pairs], " median ratio:", round(statistics.median(p / s for s, p in pairs), 3))
PY

#!/usr/bin/env bash
# Feed benchmark (issue 4, "Speed"): home timeline vs /healthz at 100k and 1M posts, posting with a photo,
# thumbnailing vs ImageMagick. See docs/BENCHMARKS.md "Feed: home timeline, posting, photos".
#
#   Benchmarks/feed/run.sh [--bin PATH] [--posts "100000 1000000"] [--duration 20] [--repeats 3]
#                          [--conns 32] [--threads 2] [--out DIR] [--data-for N=DIR ...] [--skip-photos]
#                          [--filters 20]
#
# --filters N: 50 other members get N v2 filters each (issue 16: "a member with 20 filters"), and their home
# timeline runs beside the unfiltered one and /healthz in every repeat (home-filters@N); 0 leaves it out.
# --data-for 100000=/tmp/x reuses an already generated data dir for that size (skips generation).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; ROOT="$(cd "$HERE/../.." && pwd)"
BIN=/tmp/feedbench-build/release/starcon; POSTS="100000 1000000"; DURATION=20; REPEATS=3; CONNS=32; THREADS=2
OUT=/tmp/feed-bench-$(date +%Y%m%d-%H%M%S); SKIP_PHOTOS=0; FILTERS=20; PASSWORD=benchpass123; PORT=18480
declare -A REUSE=()
PY="$ROOT/.venv/bin/python"; [ -x "$PY" ] || PY=python3
while [ $# -gt 0 ]; do case "$1" in
  --bin) BIN=$2; shift 2;; --posts) POSTS=$2; shift 2;; --duration) DURATION=$2; shift 2;;
  --repeats) REPEATS=$2; shift 2;; --conns) CONNS=$2; shift 2;; --threads) THREADS=$2; shift 2;;
  --out) OUT=$2; shift 2;; --data-for) REUSE[${2%%=*}]=${2#*=}; shift 2;; --skip-photos) SKIP_PHOTOS=1; shift;; --filters) FILTERS=$2; shift 2;;
  -h|--help) sed -n 2,8p "$0"; exit 0;; *) echo "unknown option $1" >&2; exit 2;; esac; done
if [ ! -x "$BIN" ]; then
  rm -rf /tmp/feedbench-src && mkdir -p /tmp/feedbench-src && (cd "$ROOT" && git archive HEAD | tar -x -C /tmp/feedbench-src)
  (cd /tmp/feedbench-src && PATH=/opt/swift/usr/bin:$PATH swift build -c release --product starcon --scratch-path /tmp/feedbench-build)
  BIN=/tmp/feedbench-build/release/starcon
fi
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null
[ -x /usr/bin/convert ] || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends imagemagick >/dev/null   # /usr/local/bin/convert here is a stand-in, not ImageMagick
mkdir -p "$OUT"; RESULTS="$OUT/results.jsonl"; : > "$RESULTS"
SERVER_PID=""
stop_server() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi; }
trap stop_server EXIT INT TERM
start_server() { # DATA
  "$BIN" serve --data "$1" --http-port $PORT --nntp-port 0 --smtp-port 0 > "$OUT/server-$(basename "$1").log" 2>&1 & SERVER_PID=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "server did not start" >&2; exit 1; }
load() { # LABEL PATH [TOKENS]
  [ -n "${3:-}" ] && export BENCH_TOKENS=$3 || unset BENCH_TOKENS
  BENCH_PATH=$2 wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" --timeout 10s -s "$HERE/wrk.lua" "http://127.0.0.1:$PORT" \
    | grep '^{' | sed "s/^{/{\"label\":\"$1\",\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",/" | tee -a "$RESULTS"; }

for N in $POSTS; do
  DATA=${REUSE[$N]:-}
  if [ -z "$DATA" ]; then
    DATA="$OUT/data-$N"; mkdir -p "$DATA"
    "$BIN" migrate --data "$DATA" >/dev/null
    echo "$PASSWORD" | "$BIN" user add bench --data "$DATA" >/dev/null
    /usr/bin/time -f "generate $N: %e s" "$PY" "$HERE/gen.py" "$DATA/starcon.sqlite" --posts "$N" 2>&1 | tee "$OUT/gen-$N.log"
  fi
  start_server "$DATA"
  "$PY" "$HERE/client.py" tokens "http://127.0.0.1:$PORT" 50 "$PASSWORD" "$OUT/tokens-$N.txt"
  if [ "$FILTERS" -gt 0 ]; then
    "$PY" "$HERE/client.py" tokens "http://127.0.0.1:$PORT" 50 "$PASSWORD" "$OUT/tokens-filters-$N.txt" 5000
    "$PY" "$HERE/client.py" filters "http://127.0.0.1:$PORT" "$OUT/tokens-filters-$N.txt" "$FILTERS"
  fi
  home_filters() { [ "$FILTERS" -gt 0 ] && load "home-filters@$N" "/api/v1/timelines/home?limit=20" "$OUT/tokens-filters-$N.txt" || true; }
  # Warm-up (page cache, SQLite caches), not recorded.
  DURATION=3 BENCH_TOKENS="$OUT/tokens-$N.txt" BENCH_PATH=/api/v1/timelines/home?limit=20 \
    wrk -t "$THREADS" -c "$CONNS" -d 3s -s "$HERE/wrk.lua" "http://127.0.0.1:$PORT" >/dev/null
  for r in $(seq 1 "$REPEATS"); do
    if [ $((r % 2)) = 1 ]; then
      load "healthz@$N" /healthz; load "home@$N" "/api/v1/timelines/home?limit=20" "$OUT/tokens-$N.txt"; home_filters
    else
      home_filters; load "home@$N" "/api/v1/timelines/home?limit=20" "$OUT/tokens-$N.txt"; load "healthz@$N" /healthz
    fi
  done
  # "p99 under 20 ms at that load": the home timeline offered a quarter of /healthz's measured rate (each
  # connection pauses between requests), so its latency is the server's and not the queue's of a saturated run.
  HEALTHZ=$("$PY" -c 'import json, statistics, sys
print(statistics.median(r["rps"] for r in map(json.loads, open(sys.argv[1])) if r.get("label") == sys.argv[2]))' "$RESULTS" "healthz@$N")
  # Each connection's cycle is its pause plus the response time: a 4 s probe measures the latter (p50).
  PROBE=$(BENCH_TOKENS="$OUT/tokens-$N.txt" BENCH_PATH=/api/v1/timelines/home?limit=20 \
    BENCH_DELAY_MS=$(awk -v c="$CONNS" -v r="$HEALTHZ" 'BEGIN { printf "%.2f", c * 1000 / (r / 4) }') \
    wrk -t "$THREADS" -c "$CONNS" -d 4s -s "$HERE/wrk.lua" "http://127.0.0.1:$PORT" | grep '^{' | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["p50_ms"])')
  PACE=$(awk -v c="$CONNS" -v r="$HEALTHZ" -v l="$PROBE" 'BEGIN { p = c * 1000 / (r / 4) - l; if (p < 0) p = 0; printf "%.2f", p }')
  for r in $(seq 1 "$REPEATS"); do
    BENCH_DELAY_MS=$PACE load "home-paced@$N" "/api/v1/timelines/home?limit=20" "$OUT/tokens-$N.txt"
  done
  if [ "$SKIP_PHOTOS" = 0 ] && [ "$N" = "$(echo $POSTS | awk '{print $1}')" ]; then
    [ -d "$OUT/photos/mp" ] || "$PY" "$HERE/client.py" photos "$OUT/photos/mp" 50 1200x850
    [ -d "$OUT/photos/big" ] || "$PY" "$HERE/client.py" photos "$OUT/photos/big" 20 2000x1500
    TOKEN=$(head -1 "$OUT/tokens-$N.txt")
    "$PY" "$HERE/client.py" post "http://127.0.0.1:$PORT" "$TOKEN" "$OUT/photos/mp" 50 \
      | sed 's/^{/{"label":"post",/' | tee -a "$RESULTS"
    "$PY" "$HERE/client.py" upload "http://127.0.0.1:$PORT" "$TOKEN" "$OUT/photos/big" \
      | sed 's/^{/{"label":"starcon-media",/' | tee -a "$RESULTS"
    mkdir -p "$OUT/thumbs"; t0=$(date +%s.%N)
    for f in "$OUT"/photos/big/*.jpg; do /usr/bin/convert "$f" -thumbnail 640x640 "$OUT/thumbs/$(basename "$f")"; done
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "{\"label\":\"imagemagick\",\"n\":20,\"seconds\":%.3f,\"photos_per_s\":%.3f}\n", b - a, 20 / (b - a) }' | tee -a "$RESULTS"
  fi
  stop_server
done
"$PY" "$HERE/report.py" "$RESULTS" | tee "$OUT/table.md"
echo "results in $OUT"

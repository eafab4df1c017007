#!/usr/bin/env bash
# Search benchmark (issue 14, "Speed"): /api/v2/search over 1,000,000 posts in mixed scripts against /healthz,
# in the same run, on SQLite and PostgreSQL. See docs/BENCHMARKS.md "Search".
#
#   Benchmarks/search/run.sh [--bin PATH] [--posts 1000000] [--engines "sqlite postgres"] [--duration 10]
#                            [--conns 4] [--threads 2] [--out DIR] [--data DIR]
#
# --data reuses a generated SQLite data dir (its starcon.sqlite); PostgreSQL is filled from it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; ROOT="$(cd "$HERE/../.." && pwd)"
BIN=""; POSTS=1000000; ENGINES="sqlite postgres"; DURATION=10; CONNS=4; THREADS=2
OUT=/tmp/search-bench-$(date +%Y%m%d-%H%M%S); DATA=""; PASSWORD=benchpass123; PORT=18490; PGPORT=18491
PY="$ROOT/.venv/bin/python"; [ -x "$PY" ] || PY=python3
while [ $# -gt 0 ]; do case "$1" in
  --bin) BIN=$2; shift 2;; --posts) POSTS=$2; shift 2;; --engines) ENGINES=$2; shift 2;; --duration) DURATION=$2; shift 2;;
  --conns) CONNS=$2; shift 2;; --threads) THREADS=$2; shift 2;; --out) OUT=$2; shift 2;; --data) DATA=$2; shift 2;;
  -h|--help) sed -n 2,8p "$0"; exit 0;; *) echo "unknown option $1" >&2; exit 2;; esac; done
if [ -z "$BIN" ]; then
  for b in "$ROOT/.build/release/starcon" "$ROOT/.build/debug/starcon"; do [ -x "$b" ] && { BIN=$b; break; }; done
fi
[ -x "$BIN" ] || { echo "no starcon binary: swift build -c release --product starcon, or --bin PATH" >&2; exit 1; }
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null
mkdir -p "$OUT"; RESULTS="$OUT/results.jsonl"; : > "$RESULTS"
echo "binary: $BIN" | tee "$OUT/binary.txt"
SERVER_PID=""
stop_server() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi; }
cleanup() { stop_server; [ -d "$OUT/pg" ] && "$ROOT/scripts/postgres.sh" stop "$OUT/pg" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

if [ -z "$DATA" ]; then
  DATA="$OUT/data"; mkdir -p "$DATA"
  "$BIN" migrate --data "$DATA" >/dev/null
  echo "$PASSWORD" | "$BIN" user add bench --data "$DATA" >/dev/null
  /usr/bin/time -f "generate $POSTS: %e s" "$PY" "$HERE/gen.py" "$DATA/starcon.sqlite" --posts "$POSTS" 2>&1 | tee "$OUT/gen.log"
fi

# Queries: a rare code word (~17 posts), a common Korean word inside sentences (~5% of posts), Cyrillic in
# upper case, a Japanese phrase, a word found nowhere, and one- and two-character CJK queries (the window scan).
QUERIES=("rare=zqa0k3" "korean=%ED%8F%89%EC%96%91%EB%83%89%EB%A9%B4" "cyrillic=%D0%A1%D0%9E%D0%91%D0%A0%D0%90%D0%9D%D0%98%D0%95"
         "japanese=%E6%9D%B1%E4%BA%AC%E3%81%A7" "none=nowhereword" "two-cjk=%E5%86%B7%E9%9D%A2" "one-cjk=%E9%9D%A2")
load() { # LABEL PATH
  BENCH_PATH=$2 wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" --timeout 10s -s "$HERE/../feed/wrk.lua" "http://127.0.0.1:$PORT" \
    | grep '^{' | sed "s/^{/{\"label\":\"$1\",\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\",/" | tee -a "$RESULTS"; }
token() {
  "$PY" - "http://127.0.0.1:$PORT" "$PASSWORD" <<'PY'
import json, sys, urllib.parse, urllib.request
base, password = sys.argv[1], sys.argv[2]
def form(path, fields):
    return json.loads(urllib.request.urlopen(base + path, urllib.parse.urlencode(fields).encode(), timeout=60).read())
app = form("/api/v1/apps", {"client_name": "searchbench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"})
print(form("/oauth/token", {"grant_type": "password", "username": "bench", "password": password, "client_id": app["client_id"],
                            "client_secret": app["client_secret"], "scope": "read"})["access_token"])
PY
}

for ENGINE in $ENGINES; do
  ARGS=(--data "$DATA")
  if [ "$ENGINE" = postgres ]; then
    URL=$("$ROOT/scripts/postgres.sh" start "$OUT/pg" "$PGPORT" | tail -1)
    ARGS=(--data "$OUT/pgdata" --database "$URL"); mkdir -p "$OUT/pgdata"
    "$BIN" migrate "${ARGS[@]}" >/dev/null
    echo "$PASSWORD" | "$BIN" user add bench "${ARGS[@]}" >/dev/null
    /usr/bin/time -f "copy to postgres: %e s" "$PY" "$HERE/to_postgres.py" "$DATA/starcon.sqlite" "$URL" 2>&1 | tee "$OUT/pg-copy.log"
  fi
  "$BIN" serve "${ARGS[@]}" --http-port $PORT --nntp-port 0 --smtp-port 0 --imap-port 0 --metrics-port 0 > "$OUT/server-$ENGINE.log" 2>&1 & SERVER_PID=$!
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  TOKEN=$(token); echo "$TOKEN" > "$OUT/token-$ENGINE.txt"
  export BENCH_TOKENS="$OUT/token-$ENGINE.txt"
  for q in "${QUERIES[@]}"; do  # warm-up and a count of what each query finds on its first page
    curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v2/search?type=statuses&limit=20&q=${q#*=}" \
      | "$PY" -c "import json,sys; print('$ENGINE ${q%%=*}:', len(json.load(sys.stdin)['statuses']), 'on the first page')" | tee -a "$OUT/found.txt"
  done
  load "healthz@$ENGINE" /healthz
  for q in "${QUERIES[@]}"; do load "${q%%=*}@$ENGINE" "/api/v2/search?type=statuses&limit=20&q=${q#*=}"; done
  load "healthz@$ENGINE" /healthz
  unset BENCH_TOKENS
  stop_server
done
"$PY" "$HERE/report.py" "$RESULTS" | tee "$OUT/table.md"
echo "results in $OUT"

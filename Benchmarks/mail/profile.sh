#!/usr/bin/env bash
# Profiles Starcon's IMAP FETCH rows and the SMTP row with perf (apt-get install linux-perf), without Dovecot or
# Postfix: starts `starcon serve` on a fresh data dir, loads COUNT messages of the benchmark's corpus, then records
#   fetch.data  3 x SELECT + FETCH 1:* (ENVELOPE FLAGS)      body.data  3 x UID FETCH of BODY.PEEK[] (every 10th)
#   smtp.data   20 clients x 25 messages with AUTH
# Read one with: perf report -i OUT/fetch.data --children --sort symbol --stdio -g none | swift demangle --simplified
#
#   Benchmarks/mail/profile.sh STARCON_BIN OUT_DIR [COUNT]     (run it under flock /tmp/starcon-bench.lock)
set -euo pipefail
BIN=$1 OUT=$2 COUNT=${3:-3000}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
DATA=$(mktemp -d /tmp/mailprof-data.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
IMAP=$(free_port) SMTP=$(free_port)
for u in bench $(seq -f 'sender%g' 1 20); do echo bench-password-1 | "$BIN" user add "$u" --data "$DATA" >/dev/null; done
STARCON_MAIL_SEND_LIMIT=100000000 "$BIN" serve --data "$DATA" --host 127.0.0.1 --domain bench.test --http-port 0 \
  --nntp-port 0 --imap-port "$IMAP" --smtp-port "$SMTP" >"$OUT/starcon.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 150); do ss -Hltn "sport = :$SMTP" | grep -q . && break; sleep 0.2; done
common=(--user bench --password bench-password-1 --jsonl "$OUT/results.jsonl" --count "$COUNT" --label Starcon)
python3 "$HERE/bench.py" load --port "$IMAP" "${common[@]}"
record() {  # record NAME COMMAND...: perf on the server while COMMAND runs
  local name=$1
  shift
  perf record -F 999 -g -p "$PID" -o "$OUT/$name.data" 2>/dev/null &
  local perf_pid=$!
  sleep 0.5
  "$@"
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
}
three() { for run in 0 1 2; do python3 "$HERE/bench.py" measure --port "$IMAP" --scenario "$1" --run "$run" "${common[@]}"; done; }
record fetch three select_fetch
record body three body_fetch
record smtp python3 "$HERE/bench.py" smtp --port "$SMTP" --domain bench.test --clients 20 --messages 25 --run 0 "${common[@]}"

#!/usr/bin/env bash
# NNTP benchmark: Starcon against INN (Debian's inn2), both on loopback, same data, one table.
#
#   Benchmarks/nntp/run.sh [options]
#
# What it does
#   1. installs inn2 if missing (apt-get) and builds the release starcon if missing
#      (swift build -c release --product starcon --scratch-path /tmp/starcon-release)
#   2. starts a private INN (inn.sh: everything under a temp dir, 127.0.0.1, random port) and
#      `starcon serve` on a fresh SQLite data dir (127.0.0.1, random ports)
#   3. creates the same groups bench.g0..bench.g9 and member/reader `bench` on both and loads
#      the same deterministic articles into both: INN through innd's feeder path (MODE STREAM +
#      TAKETHIS, INN's fastest), Starcon through POST on 8 connections (it has no feeder path)
#   4. runs each scenario (over, article, post) with 50 connections against each server,
#      --repeats times, alternating which server goes first; every read run happens before any
#      post run, so reads see exactly the loaded data set on both servers
#   5. prints the table (medians over the runs, min-max, ratio Starcon/INN) and stops both
#      servers (always: trap)
#
# Options
#   --articles N       articles to load (default 100000)     --groups G     groups (default 10)
#   --scenarios LIST   comma list of over,article,post,mixed (default over,article,post; mixed: OVER,
#                      ARTICLE and POST in equal parts with GROUP before each read, per-operation p50/p99)
#   --connections C    concurrent connections (default 50)   --repeats R    runs per scenario and server (default 3)
#   --duration S       measured seconds per run (default 10) --warmup S     unmeasured seconds first (default 1)
#   --procs P          client processes (default 2)
#   --starcon-bin B    starcon binary (default $STARCON_BIN or /tmp/starcon-release/release/starcon)
#   --inn-set K=V      override an inn.conf key of the INN instance (repeatable)
#   --inn-load M       takethis (default) | post: how INN is loaded
#   --out DIR          results directory (default /tmp/nntp-bench-TIMESTAMP)
#   --keep             keep both servers' data directories (stopped) for inspection
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

ARTICLES=100000 NGROUPS=10 SEED=1
SCENARIOS=over,article,post CONNS=50 DURATION=10 WARMUP=1 REPEATS=3 PROCS=2
STARCON_BIN=${STARCON_BIN:-/tmp/starcon-release/release/starcon}
INN_SETS=() INN_LOAD=takethis KEEP=0 OUT=""
USER_=bench PASS_=bench-password-1
while [ $# -gt 0 ]; do
  case $1 in
    --articles) ARTICLES=$2; shift 2 ;;
    --groups) NGROUPS=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --procs) PROCS=$2; shift 2 ;;
    --starcon-bin) STARCON_BIN=$2; shift 2 ;;
    --inn-set) INN_SETS+=(--set "$2"); shift 2 ;;
    --inn-load) INN_LOAD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

OUT=${OUT:-/tmp/nntp-bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RES="$OUT/results.jsonl"
: >"$RES"
T_START=$(date +%s)
log() { echo "run.sh [$(date +%T)]: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # wait_port PORT PID SECONDS
  local i
  for i in $(seq 1 $(($3 * 5))); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

INN_DIR="" SC_DIR="" SC_PID=""
stop_starcon() {
  [ -n "$SC_PID" ] || return 0
  kill -TERM "$SC_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 75); do kill -0 "$SC_PID" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$SC_PID" 2>/dev/null && { log "starcon did not stop in 15 s, killing"; kill -KILL "$SC_PID" 2>/dev/null || true; }
  wait "$SC_PID" 2>/dev/null || true
  SC_PID=""
}
cleanup() {
  stop_starcon
  [ -n "$INN_DIR" ] && { "$HERE/inn.sh" stop "$INN_DIR" || true; }
  if [ "$KEEP" = 1 ]; then
    log "kept: INN $INN_DIR, Starcon $SC_DIR"
  else
    [ -n "$INN_DIR" ] && rm -rf "$INN_DIR"
    [ -n "$SC_DIR" ] && rm -rf "$SC_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- prerequisites
"$HERE/inn.sh" install
if [ ! -x "$STARCON_BIN" ]; then
  log "building the release starcon (swift build -c release, scratch path /tmp/starcon-release)"
  export PATH=/opt/swift/usr/bin:$PATH
  (cd "$ROOT" && swift build -c release --product starcon --scratch-path /tmp/starcon-release) >&2
  STARCON_BIN=/tmp/starcon-release/release/starcon
fi
GROUPS_=$(for i in $(seq 0 $((NGROUPS - 1))); do echo "bench.g$i"; done)

# ---------------------------------------------------------------- INN
INN_DIR=$(mktemp -d /tmp/innbench.XXXXXX)
INN_PORT=$(free_port)
"$HERE/inn.sh" start "$INN_DIR" "$INN_PORT" --auth "$USER_:$PASS_" "${INN_SETS[@]}"
"$HERE/inn.sh" create-groups "$INN_DIR" "$NGROUPS"
log "INN on 127.0.0.1:$INN_PORT ($INN_DIR)"

# ---------------------------------------------------------------- Starcon
SC_DIR=$(mktemp -d /tmp/scbench.XXXXXX)
SC_NNTP=$(free_port) SC_HTTP=$(free_port)
echo "$PASS_" | "$STARCON_BIN" user add "$USER_" --data "$SC_DIR" >/dev/null
for g in $GROUPS_; do "$STARCON_BIN" group create "$g" --data "$SC_DIR" >/dev/null; done
"$STARCON_BIN" serve --data "$SC_DIR" --host 127.0.0.1 --http-port "$SC_HTTP" --nntp-port "$SC_NNTP" --smtp-port 0 --imap-port 0 \
  >"$OUT/starcon.log" 2>&1 &
SC_PID=$!
wait_port "$SC_NNTP" "$SC_PID" 30 || { tail -20 "$OUT/starcon.log" >&2; log "starcon did not start"; exit 1; }
log "Starcon on 127.0.0.1:$SC_NNTP (pid $SC_PID, $SC_DIR, $("$STARCON_BIN" --version 2>/dev/null || echo release build))"

# ---------------------------------------------------------------- load
AUTH=(--user "$USER_" --password "$PASS_")
log "loading INN: $ARTICLES articles in $NGROUPS groups via $INN_LOAD"
python3 "$HERE/load.py" --host 127.0.0.1 --port "$INN_PORT" "${AUTH[@]}" --groups "$NGROUPS" \
  --articles "$ARTICLES" --seed "$SEED" --method "$INN_LOAD" \
  --connections "$([ "$INN_LOAD" = post ] && echo 8 || echo 4)" \
  --label INN --jsonl "$RES" --json "$OUT/load-inn.json" >/dev/null
log "loading Starcon: $ARTICLES articles in $NGROUPS groups via POST"
python3 "$HERE/load.py" --host 127.0.0.1 --port "$SC_NNTP" "${AUTH[@]}" --groups "$NGROUPS" \
  --articles "$ARTICLES" --seed "$SEED" --method post --connections 8 \
  --label Starcon --jsonl "$RES" --json "$OUT/load-starcon.json" >/dev/null
du -sh "$INN_DIR/spool" "$INN_DIR/db" "$SC_DIR" >&2 || true

# ---------------------------------------------------------------- benchmark
# Runs are interleaved (INN, Starcon, Starcon, INN, ...) so that the noise of a shared machine
# falls on both; runs with the same index use the same random request sequence.
bench() {  # bench LABEL PORT SCENARIO RUN
  python3 "$HERE/bench.py" --host 127.0.0.1 --port "$2" "${AUTH[@]}" --label "$1" --scenario "$3" \
    --run-index "$4" --repeats 1 --connections "$CONNS" --duration "$DURATION" --warmup "$WARMUP" \
    --procs "$PROCS" --groups "$NGROUPS" --jsonl "$RES" >>"$OUT/bench.out" 2>>"$OUT/bench.err" \
    || log "$1 $3 run $4 reported errors (see $OUT/bench.err)"
  grep -E "^bench: $1 $3 run" "$OUT/bench.err" | tail -$([ "$3" = mixed ] && echo 5 || echo 1) >&2 || true
}
IFS=, read -ra SCS <<<"$SCENARIOS"
for sc in "${SCS[@]}"; do
  for r in $(seq 0 $((REPEATS - 1))); do
    if [ $((r % 2)) = 0 ]; then
      bench INN "$INN_PORT" "$sc" "$r"; bench Starcon "$SC_NNTP" "$sc" "$r"
    else
      bench Starcon "$SC_NNTP" "$sc" "$r"; bench INN "$INN_PORT" "$sc" "$r"
    fi
  done
done

python3 "$HERE/report.py" "$RES" | tee "$OUT/table.md"
log "done in $(( $(date +%s) - T_START )) s; results in $OUT"

#!/usr/bin/env bash
# End-to-end NNTP benchmark: INN (private instance) and, optionally, a second server
# (Starcon) that the caller has started; both appear in one Markdown table.
#
#   run.sh [options]
#
# Data set
#   --articles N          articles to load (default 100000)
#   --groups G            groups bench.g0..bench.g(G-1) (default 10)
#   --seed S              article generator seed (default 1; same data for every server)
# Benchmark
#   --scenarios LIST      comma list of over,article,post (default all three)
#   --connections C       concurrent connections (default 50)
#   --duration S          measured seconds per run (default 10)
#   --warmup S            unmeasured seconds before each run (default 1)
#   --repeats R           runs per scenario (default 3)
#   --procs P             client processes (default 2)
#   --delayed-ack         also run INN's scenarios with the kernel's delayed ACKs (see README)
# INN
#   --no-inn              skip INN
#   --inn-load METHOD     takethis (default, fastest) | ihave | post
#   --inn-auth            make INN require AUTHINFO USER/PASS too (uses --user/--password,
#                         default bench/bench), for a like-for-like comparison
#   --inn-set KEY=VALUE   override an inn.conf key of the INN instance (repeatable),
#                         e.g. --inn-set nnrpdcheckart=false
#   --inn-label NAME      table label for INN (default INN)
#   --keep                leave the INN instance directory (stopped) for inspection
# Second server (e.g. Starcon; must already be running on a loopback address)
#   --starcon-host H      default 127.0.0.1
#   --starcon-port P      enables the second server
#   --starcon-label NAME  default Starcon
#   --starcon-groups-cmd CMD   shell command that creates the groups (gets BENCH_GROUPS,
#                         BENCH_GROUP_COUNT; "{groups}" is replaced by the names)
#   --starcon-skip-load   the server already holds the data set
#   --starcon-load-connections N  POST connections for loading (default 8)
#   --user U --password P AUTHINFO credentials for the second server (and INN with --inn-auth)
#   --mode-reader         send MODE READER after the greeting (second server)
# Output
#   --out DIR             results directory (default /tmp/nntp-bench-TIMESTAMP):
#                         results.jsonl, table.md, logs
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

ARTICLES=100000 NGROUPS=10 SEED=1
SCENARIOS=over,article,post CONNS=50 DURATION=10 WARMUP=1 REPEATS=3 PROCS=2 DELAYED_ACK=0
NO_INN=0 INN_LOAD=takethis INN_AUTH=0 KEEP=0 INN_SETS=() INN_LABEL=INN
SC_HOST=127.0.0.1 SC_PORT="" SC_LABEL=Starcon SC_GROUPS_CMD="" SC_SKIP_LOAD=0 SC_LOAD_CONNS=8
USER_="" PASS_="" MODE_READER=""
OUT=""
while [ $# -gt 0 ]; do
  case $1 in
    --articles) ARTICLES=$2; shift 2 ;;
    --groups) NGROUPS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --procs) PROCS=$2; shift 2 ;;
    --delayed-ack) DELAYED_ACK=1; shift ;;
    --no-inn) NO_INN=1; shift ;;
    --inn-load) INN_LOAD=$2; shift 2 ;;
    --inn-auth) INN_AUTH=1; shift ;;
    --inn-set) INN_SETS+=(--set "$2"); shift 2 ;;
    --inn-label) INN_LABEL=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --starcon-host) SC_HOST=$2; shift 2 ;;
    --starcon-port) SC_PORT=$2; shift 2 ;;
    --starcon-label) SC_LABEL=$2; shift 2 ;;
    --starcon-groups-cmd) SC_GROUPS_CMD=$2; shift 2 ;;
    --starcon-skip-load) SC_SKIP_LOAD=1; shift ;;
    --starcon-load-connections) SC_LOAD_CONNS=$2; shift 2 ;;
    --user) USER_=$2; shift 2 ;;
    --password) PASS_=$2; shift 2 ;;
    --mode-reader) MODE_READER=--mode-reader; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,44p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

OUT=${OUT:-/tmp/nntp-bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RES="$OUT/results.jsonl"
: >"$RES"
log() { echo "run.sh [$(date +%T)]: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

BENCH_ARGS=(--scenario "$SCENARIOS" --connections "$CONNS" --duration "$DURATION" --warmup "$WARMUP"
            --repeats "$REPEATS" --procs "$PROCS" --groups "$NGROUPS" --jsonl "$RES")

INN_DIR=""
cleanup() {
  if [ -n "$INN_DIR" ]; then
    "$HERE/inn.sh" stop "$INN_DIR" || true
    if [ "$KEEP" = 1 ]; then log "INN instance kept in $INN_DIR"; else rm -rf "$INN_DIR"; fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- INN
if [ "$NO_INN" = 0 ]; then
  "$HERE/inn.sh" install
  INN_DIR=$(mktemp -d /tmp/innbench.XXXXXX)
  INN_PORT=$(free_port)
  INN_CRED=()
  if [ "$INN_AUTH" = 1 ]; then
    INN_CRED=(--user "${USER_:-bench}" --password "${PASS_:-bench}")
    "$HERE/inn.sh" start "$INN_DIR" "$INN_PORT" --auth "${USER_:-bench}:${PASS_:-bench}" "${INN_SETS[@]}"
  else
    "$HERE/inn.sh" start "$INN_DIR" "$INN_PORT" "${INN_SETS[@]}"
  fi
  log "INN on 127.0.0.1:$INN_PORT, instance $INN_DIR"
  t=$(date +%s%N)
  "$HERE/inn.sh" create-groups "$INN_DIR" "$NGROUPS"
  log "INN groups created in $(( ($(date +%s%N) - t) / 1000000 )) ms"
  log "loading INN: $ARTICLES articles via $INN_LOAD"
  python3 "$HERE/load.py" --host 127.0.0.1 --port "$INN_PORT" "${INN_CRED[@]}" \
    --groups "$NGROUPS" --articles "$ARTICLES" --seed "$SEED" --method "$INN_LOAD" \
    --connections $([ "$INN_LOAD" = post ] && echo 8 || echo 4) \
    --label "$INN_LABEL" --jsonl "$RES" --json "$OUT/load-inn.json" >/dev/null
  du -sh "$INN_DIR/spool" "$INN_DIR/db" >&2 || true
  log "benchmarking INN"
  python3 "$HERE/bench.py" --host 127.0.0.1 --port "$INN_PORT" "${INN_CRED[@]}" --label "$INN_LABEL" \
    "${BENCH_ARGS[@]}" >"$OUT/bench-inn.out" 2>"$OUT/bench-inn.err" || { cat "$OUT/bench-inn.err" >&2; log "INN bench reported errors"; }
  grep -E '^bench:' "$OUT/bench-inn.err" >&2 || true
  if [ "$DELAYED_ACK" = 1 ]; then
    python3 "$HERE/bench.py" --host 127.0.0.1 --port "$INN_PORT" "${INN_CRED[@]}" --label "$INN_LABEL" \
      --no-quickack "${BENCH_ARGS[@]}" >"$OUT/bench-inn-delayedack.out" 2>"$OUT/bench-inn-delayedack.err" || true
    grep -E '^bench:' "$OUT/bench-inn-delayedack.err" >&2 || true
  fi
  "$HERE/inn.sh" stop "$INN_DIR"
  if [ "$KEEP" = 1 ]; then log "INN instance kept in $INN_DIR"; else rm -rf "$INN_DIR"; fi
  INN_DIR=""
fi

# ---------------------------------------------------------------- second server
if [ -n "$SC_PORT" ]; then
  SC_CRED=()
  [ -n "$USER_" ] && SC_CRED=(--user "$USER_" --password "$PASS_")
  if [ "$SC_SKIP_LOAD" = 0 ]; then
    GC=()
    [ -n "$SC_GROUPS_CMD" ] && GC=(--create-groups-cmd "$SC_GROUPS_CMD")
    log "loading $SC_LABEL: $ARTICLES articles via POST"
    python3 "$HERE/load.py" --host "$SC_HOST" --port "$SC_PORT" "${SC_CRED[@]}" $MODE_READER "${GC[@]}" \
      --groups "$NGROUPS" --articles "$ARTICLES" --seed "$SEED" --method post \
      --connections "$SC_LOAD_CONNS" --label "$SC_LABEL" --jsonl "$RES" --json "$OUT/load-second.json" >/dev/null
  fi
  log "benchmarking $SC_LABEL"
  python3 "$HERE/bench.py" --host "$SC_HOST" --port "$SC_PORT" "${SC_CRED[@]}" $MODE_READER \
    --label "$SC_LABEL" "${BENCH_ARGS[@]}" >"$OUT/bench-second.out" 2>"$OUT/bench-second.err" || { cat "$OUT/bench-second.err" >&2; log "$SC_LABEL bench reported errors"; }
  grep -E '^bench:' "$OUT/bench-second.err" >&2 || true
fi

python3 "$HERE/report.py" "$RES" | tee "$OUT/table.md"
log "results in $OUT"

#!/usr/bin/env bash
# Mail benchmark: Starcon's IMAP and SMTP against Dovecot and Postfix, all on loopback, same mailbox, one table.
#
# Installs nothing. Expects Debian's servers:   apt-get install dovecot-imapd postfix
# and a release starcon:                         swift build -c release --scratch-path .build-release
#
#   Benchmarks/mail/run.sh [--count N] [--repeats R] [--clients C] [--messages M] [--starcon-bin B] [--out DIR] [--keep]
#
# What it does
#   1. starts a throwaway Dovecot + Postfix (servers.sh: config, sockets, logs and mail under a temp dir,
#      127.0.0.1, free ports; Postfix authenticates through that Dovecot and delivers with virtual(8) into a
#      Maildir) and `starcon serve` on a fresh SQLite data dir (--domain bench.test, IMAP + SMTP on free ports,
#      STARCON_MAIL_SEND_LIMIT raised so the hourly limit does not stop the run)
#   2. loads the same --count (default 10000) messages (corpus.py: mixed languages, a fifth with attachments)
#      into both over IMAP APPEND (pipelined with LITERAL+; both loads run at once, this is not a row)
#   3. runs each IMAP scenario (bench.py) --repeats times (default 3), alternating which server goes first,
#      then the SMTP row: --clients (20) connections at once, each a different member (sender1..senderC: one
#      account may have at most 5 password checks in flight from one address in Starcon, by design) with
#      AUTH and --messages (25) messages to itself
#   4. prints the table (report.py: medians, min-max, speed ratio ours/theirs), the machine's load, and stops
#      everything (trap)
# Options default: --count 10000 --repeats 3 --clients 20 --messages 25
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COUNT=10000 REPEATS=3 CLIENTS=20 MESSAGES=25 KEEP=0 OUT=""
STARCON_BIN=${STARCON_BIN:-$ROOT/.build-release/release/starcon}
USER_=bench PASS_=bench-password-1 DOMAIN=bench.test
while [ $# -gt 0 ]; do
  case $1 in
    --count) COUNT=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --messages) MESSAGES=$2; shift 2 ;;
    --starcon-bin) STARCON_BIN=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-/tmp/mail-bench-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RES="$OUT/results.jsonl"
: >"$RES"
log() { echo "run.sh [$(date +%T)]: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # wait_port PORT PID SECONDS
  local i
  for i in $(seq 1 $(($3 * 5))); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    [ -z "$2" ] || kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
command -v dovecot >/dev/null && command -v postfix >/dev/null || { log "needs: apt-get install dovecot-imapd postfix"; exit 1; }
[ -x "$STARCON_BIN" ] || { log "no $STARCON_BIN: swift build -c release --scratch-path .build-release"; exit 1; }

SRV_DIR="" SC_DIR="" SC_PID=""
cleanup() {
  if [ -n "$SC_PID" ]; then
    kill -TERM "$SC_PID" 2>/dev/null || true
    wait "$SC_PID" 2>/dev/null || true
  fi
  [ -n "$SRV_DIR" ] && { "$HERE/servers.sh" stop "$SRV_DIR" || true; }
  if [ "$KEEP" = 1 ]; then log "kept: $SRV_DIR $SC_DIR"; else rm -rf "$SRV_DIR" "$SC_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SRV_DIR=$(mktemp -d /tmp/mailbench-srv.XXXXXX)
DV_IMAP=$(free_port) PF_SMTP=$(free_port)
SENDERS=$(for i in $(seq 1 "$CLIENTS"); do echo "sender$i"; done)
# shellcheck disable=SC2086
"$HERE/servers.sh" start "$SRV_DIR" "$DV_IMAP" "$PF_SMTP" "$PASS_" "$DOMAIN" "$USER_" $SENDERS
wait_port "$DV_IMAP" "" 10 && wait_port "$PF_SMTP" "" 10 || { log "Dovecot/Postfix did not start (logs in $SRV_DIR)"; exit 1; }
log "Dovecot $(dovecot --version | cut -d' ' -f1) on 127.0.0.1:$DV_IMAP, Postfix $(postconf -h mail_version) on 127.0.0.1:$PF_SMTP"

SC_DIR=$(mktemp -d /tmp/mailbench-sc.XXXXXX)
SC_IMAP=$(free_port) SC_SMTP=$(free_port)
for u in "$USER_" $SENDERS; do echo "$PASS_" | "$STARCON_BIN" user add "$u" --data "$SC_DIR" >/dev/null; done
STARCON_MAIL_SEND_LIMIT=100000000 "$STARCON_BIN" serve --data "$SC_DIR" --host 127.0.0.1 --domain "$DOMAIN" \
  --http-port 0 --nntp-port 0 --imap-port "$SC_IMAP" --smtp-port "$SC_SMTP" >"$OUT/starcon.log" 2>&1 &
SC_PID=$!
wait_port "$SC_IMAP" "$SC_PID" 30 && wait_port "$SC_SMTP" "$SC_PID" 30 || { tail -20 "$OUT/starcon.log" >&2; log "starcon did not start"; exit 1; }
log "Starcon on 127.0.0.1:$SC_IMAP (IMAP) and :$SC_SMTP (SMTP), pid $SC_PID, $SC_DIR"

common=(--user "$USER_" --password "$PASS_" --jsonl "$RES" --count "$COUNT")
log "loading $COUNT messages into both"
python3 "$HERE/bench.py" load --port "$DV_IMAP" --label Dovecot "${common[@]}" &
DV_LOAD=$!
python3 "$HERE/bench.py" load --port "$SC_IMAP" --label Starcon "${common[@]}"
wait "$DV_LOAD"

measure() {  # measure LABEL PORT SCENARIO RUN
  python3 "$HERE/bench.py" measure --port "$2" --label "$1" --scenario "$3" --run "$4" "${common[@]}" \
    || log "$1 $3 run $4 failed"
}
smtp() {  # smtp LABEL PORT RUN
  python3 "$HERE/bench.py" smtp --port "$2" --label "$1" --run "$3" --domain "$DOMAIN" --clients "$CLIENTS" \
    --messages "$MESSAGES" "${common[@]}" || log "$1 smtp run $3 failed"
}
LOADS=()
for r in $(seq 0 $((REPEATS - 1))); do
  LOADS+=("run $r: $(uptime | sed 's/.*load average/load average/')")
  for sc in select_fetch body_fetch search_subject search_text search_cjk; do
    if [ $((r % 2)) = 0 ]; then measure Dovecot "$DV_IMAP" $sc $r; measure Starcon "$SC_IMAP" $sc $r
    else measure Starcon "$SC_IMAP" $sc $r; measure Dovecot "$DV_IMAP" $sc $r; fi
  done
done
# SMTP after every IMAP run: Starcon files the submissions into the same INBOX the IMAP rows read.
for r in $(seq 0 $((REPEATS - 1))); do
  if [ $((r % 2)) = 0 ]; then smtp Postfix "$PF_SMTP" $r; smtp Starcon "$SC_SMTP" $r
  else smtp Starcon "$SC_SMTP" $r; smtp Postfix "$PF_SMTP" $r; fi
done
{
  python3 "$HERE/report.py" "$RES"
  echo
  echo "Machine: $(nproc) cores; $(printf '%s; ' "${LOADS[@]}")after: $(uptime | sed 's/.*load average/load average/')"
} | tee "$OUT/table.md"
log "results in $OUT"

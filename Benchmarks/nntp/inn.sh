#!/usr/bin/env bash
# Private INN (Debian inn2) instance for the NNTP benchmark.
#
#   inn.sh install                         install inn2 if missing (apt-get), make sure no
#                                          system-wide innd is left running
#   inn.sh start DIR PORT [--auth USER:PASS] [--set KEY=VALUE]...
#                                          build a self-contained INN under DIR (config, db,
#                                          spool, overview, logs, run sockets) and start innd
#                                          on 127.0.0.1:PORT; readers get nnrpd (forked by innd);
#                                          --set overrides any inn.conf key (e.g. nnrpdcheckart=false)
#   inn.sh create-groups DIR N [PREFIX]    ctlinnd newgroup PREFIX0..PREFIX(N-1) (default bench.g)
#   inn.sh stop DIR                        ctlinnd shutdown, wait, reap every process of DIR
#   inn.sh status DIR
#
# Everything of the instance lives in DIR; it is selected by INNCONF=DIR/etc/inn.conf,
# which INN reads instead of /etc/news/inn.conf.  Nothing under /etc/news, /var/lib/news,
# /var/spool/news or /run/news is used by the instance.
#
# Access (DIR/etc/readers.conf): 127.0.0.1 may read and post WITHOUT authentication unless
# --auth USER:PASS is given, in which case AUTHINFO USER/PASS is required (checked by
# INN's ckpasswd against DIR/db/newsusers) before reading or posting.
# Feeding (DIR/etc/incoming.conf): connections from 127.0.0.2 are treated by innd as a
# peer (IHAVE / CHECK / TAKETHIS, used by load.py --method takethis|ihave); connections from
# 127.0.0.1 are handed to nnrpd (the reader server), like any news reader.
set -euo pipefail

NEWSBIN=/usr/lib/news/bin
die() { echo "inn.sh: $*" >&2; exit 1; }
log() { echo "inn.sh: $*" >&2; }

as_news() {  # run a command as news with this instance's INNCONF
  local dir=$1; shift
  setpriv --reuid=news --regid=news --init-groups \
    env INNCONF="$dir/etc/inn.conf" HOME="$dir" "$@"
}

install_inn() {
  if ! dpkg-query -W -f='${Status}' inn2 2>/dev/null | grep -q 'install ok installed'; then
    log "installing inn2"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The postinst fails when the host name has no domain ("the FQDN of the server
    # contains invalid characters"), leaving inn2 half-configured: set `domain` in the
    # system inn.conf and configure again.  policy-rc.d (if present) stops the postinst
    # from starting the system service; if it did start, it is stopped below.
    if ! apt-get install -y -q inn2 >/tmp/inn2-apt.log 2>&1; then
      if [ -f /etc/news/inn.conf ] && ! grep -q '^domain:' /etc/news/inn.conf; then
        sed -i 's/^#domain:.*/domain:                      localdomain/' /etc/news/inn.conf
        grep -q '^domain:' /etc/news/inn.conf || echo 'domain: localdomain' >>/etc/news/inn.conf
      fi
      dpkg --configure -a >>/tmp/inn2-apt.log 2>&1 || { tail -20 /tmp/inn2-apt.log; die "inn2 install failed (log /tmp/inn2-apt.log)"; }
    fi
  fi
  # No system-wide innd may stay up (port 119, /run/news).
  if [ -f /run/news/innd.pid ] && kill -0 "$(cat /run/news/innd.pid)" 2>/dev/null; then
    log "stopping the system innd (pid $(cat /run/news/innd.pid))"
    (command -v systemctl >/dev/null && systemctl stop inn2 2>/dev/null) || true
    /etc/init.d/inn2 stop >/dev/null 2>&1 || true
    if kill -0 "$(cat /run/news/innd.pid 2>/dev/null)" 2>/dev/null; then
      kill "$(cat /run/news/innd.pid)" || true
    fi
  fi
  (command -v systemctl >/dev/null && systemctl disable inn2 >/dev/null 2>&1) || true
  if ss -ltn 2>/dev/null | awk '{print $4}' | grep -qE '(^|:)119$'; then
    log "warning: something still listens on port 119: $(ss -ltnp | grep ':119 ' || true)"
  fi
}

# set_key FILE KEY VALUE: replace "KEY: ..." (commented or not) or append
set_key() {
  local f=$1 k=$2 v=$3
  if grep -qE "^#?${k}:" "$f"; then
    sed -i -E "s|^#?${k}:.*|${k}: ${v}|" "$f"
  else
    echo "${k}: ${v}" >>"$f"
  fi
}

instance_pids() {  # every process whose environment carries this instance's INNCONF
  local dir=$1 want="INNCONF=$1/etc/inn.conf" p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = "$$" ] && continue
    if grep -qsaxzF -- "$want" "/proc/$p/environ" 2>/dev/null; then echo "$p"; fi
  done
}

start_inn() {
  local dir=$1 port=$2; shift 2
  local auth="" sets=()
  while [ $# -gt 0 ]; do
    case $1 in
      --auth) auth=$2; shift 2 ;;
      --set) sets+=("$2"); shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ -n "$dir" ] && [ -n "$port" ] || die "usage: inn.sh start DIR PORT [--auth USER:PASS] [--set KEY=VALUE]..."
  install_inn
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # unix sockets live in DIR/run: sun_path is limited to 108 bytes
  [ ${#dir} -lt 80 ] || die "DIR path too long for unix sockets: $dir"
  if ss -ltn | awk '{print $4}' | grep -qx "127.0.0.1:$port"; then die "port $port busy"; fi
  if [ -f "$dir/run/innd.pid" ] && kill -0 "$(cat "$dir/run/innd.pid")" 2>/dev/null; then
    die "an innd already runs for $dir"
  fi

  mkdir -p "$dir"/{etc,db,spool/articles,spool/overview,spool/incoming/tmp,spool/outgoing,spool/archive,log/OLD,run,http,tmp}
  cp -a /etc/news/. "$dir/etc/"
  local c="$dir/etc/inn.conf"
  set_key "$c" domain localdomain
  set_key "$c" fromhost localhost.localdomain
  set_key "$c" pathhost bench-inn.localdomain
  set_key "$c" organization '"Starcon NNTP benchmark baseline"'
  set_key "$c" port "$port"
  set_key "$c" bindaddress 127.0.0.1
  set_key "$c" pathetc "$dir/etc"
  set_key "$c" pathdb "$dir/db"
  set_key "$c" pathspool "$dir/spool"
  set_key "$c" patharticles "$dir/spool/articles"
  set_key "$c" pathoverview "$dir/spool/overview"
  set_key "$c" pathincoming "$dir/spool/incoming"
  set_key "$c" pathtmp "$dir/spool/incoming/tmp"
  set_key "$c" pathoutgoing "$dir/spool/outgoing"
  set_key "$c" patharchive "$dir/spool/archive"
  set_key "$c" pathlog "$dir/log"
  set_key "$c" pathrun "$dir/run"
  set_key "$c" pathhttp "$dir/http"
  set_key "$c" pathfilter "$dir/etc/filter"
  # overview: tradindexed, served to OVER/XOVER from the overview database
  set_key "$c" enableoverview true
  set_key "$c" ovmethod tradindexed
  # Benchmark-relevant limits (defaults would refuse or slow the load generator):
  #  nnrpdloadlimit 16: nnrpd refuses readers when loadavg > 16, easily hit by 50 busy
  #  nnrpd processes on 2 cores -> 0 (off).  maxconnections 50 -> 0 (no limit).
  set_key "$c" nnrpdloadlimit 0
  set_key "$c" maxconnections 0
  set_key "$c" readertrack false
  set_key "$c" doinnwatch false
  set_key "$c" nnrpdpostport "$port"
  set_key "$c" mta '"/bin/true %s"'
  set_key "$c" mailcmd /bin/true
  local kv
  for kv in "${sets[@]}"; do set_key "$c" "${kv%%=*}" "${kv#*=}"; done

  # storage: tradspool (one file per article, Debian's default)
  cat >"$dir/etc/storage.conf" <<'EOF'
method tradspool {
    newsgroups: *
    class: 0
}
EOF
  # peers: only 127.0.0.2 (load.py --method ihave binds its source address to it)
  cat >"$dir/etc/incoming.conf" <<'EOF'
streaming:          true
max-connections:    16
peer loader {
  hostname:         "127.0.0.2"
}
EOF
  # feeds: keep local articles, no outgoing feeds, no controlchan
  cat >"$dir/etc/newsfeeds" <<'EOF'
ME:!*/!local::
EOF
  if [ -n "$auth" ]; then
    local user=${auth%%:*} pass=${auth#*:}
    printf '%s:%s\n' "$user" "$(openssl passwd -6 "$pass")" >"$dir/db/newsusers"
    cat >"$dir/etc/readers.conf" <<EOF
# AUTHINFO USER/PASS required (checked by ckpasswd against $dir/db/newsusers)
auth "bench" {
    hosts: "127.0.0.1, localhost"
    auth: "ckpasswd -f $dir/db/newsusers"
}
access "bench" {
    users: "*"
    newsgroups: "*"
    access: RPA
    addcanlockuser: none
}
EOF
  else
    cat >"$dir/etc/readers.conf" <<'EOF'
# Benchmark baseline: loopback may read and post without authentication.
auth "localhost" {
    hosts: "localhost, 127.0.0.1, ::1, stdin"
    default: "<localhost>"
}
access "localhost" {
    users: "<localhost>"
    newsgroups: "*"
    access: RPA
    addcanlockuser: none
}
EOF
  fi

  # db: minimal active file (innd needs junk, control.*), empty history + dbz index
  printf '%s\n' \
    'control 0000000000 0000000001 n' 'control.cancel 0000000000 0000000001 n' \
    'junk 0000000000 0000000001 n' >"$dir/db/active"
  printf 'control\tVarious control messages (no posting).\ncontrol.cancel\tCancel messages (no posting).\njunk\tUnfiled articles (no posting).\n' >"$dir/db/newsgroups"
  : >"$dir/db/active.times"
  : >"$dir/db/history"
  chown -R news:news "$dir"
  chmod 755 "$dir"
  as_news "$dir" "$NEWSBIN/makedbz" -i -o -s 300000 -f "$dir/db/history"
  as_news "$dir" "$NEWSBIN/inncheck" -f "$c" >/dev/null 2>&1 || true

  log "starting innd for $dir on 127.0.0.1:$port"
  # -f: no fork (so we know the pid); output still goes to DIR/log
  # -c 0: accept articles of any age (a reload of old load data must not be refused)
  setsid setpriv --reuid=news --regid=news --init-groups \
    env INNCONF="$c" HOME="$dir" "$NEWSBIN/innd" -f -c 0 \
    </dev/null >>"$dir/log/innd.stdout" 2>&1 &
  echo $! >"$dir/innd.launch.pid"
  local i
  for i in $(seq 1 100); do
    if as_news "$dir" "$NEWSBIN/ctlinnd" -t 5 mode >/dev/null 2>&1 &&
       ss -ltn | awk '{print $4}' | grep -qx "127.0.0.1:$port"; then
      log "innd up (pid $(cat "$dir/run/innd.pid" 2>/dev/null || cat "$dir/innd.launch.pid"))"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/innd.launch.pid")" 2>/dev/null; then
      tail -20 "$dir/log/innd.stdout" "$dir/log/news.err" 2>/dev/null >&2 || true
      die "innd exited during start-up"
    fi
    sleep 0.2
  done
  die "innd did not come up on 127.0.0.1:$port"
}

create_groups() {
  local dir=$1 n=${2:-10} prefix=${3:-bench.g} i
  dir=$(cd "$dir" && pwd)
  for i in $(seq 0 $((n - 1))); do
    as_news "$dir" "$NEWSBIN/ctlinnd" -s newgroup "$prefix$i" y bench >/dev/null
  done
  log "created $n groups ${prefix}0..${prefix}$((n - 1))"
}

stop_inn() {
  local dir=$1 pids p i
  [ -d "$dir" ] || die "no such dir $dir"
  dir=$(cd "$dir" && pwd)
  if [ -S "$dir/run/control" ]; then
    as_news "$dir" "$NEWSBIN/ctlinnd" -t 20 shutdown "benchmark done" >/dev/null 2>&1 || true
  fi
  local ipid
  ipid=$(cat "$dir/innd.launch.pid" 2>/dev/null || true)
  for i in $(seq 1 50); do
    [ -n "$ipid" ] && kill -0 "$ipid" 2>/dev/null || break
    sleep 0.2
  done
  # nnrpd children (and anything else this instance spawned) carry INNCONF=DIR/etc/inn.conf
  for i in 1 2 3; do
    pids=$(instance_pids "$dir")
    [ -z "$pids" ] && break
    if [ $i -lt 3 ]; then kill $pids 2>/dev/null || true; else kill -9 $pids 2>/dev/null || true; fi
    sleep 0.5
  done
  pids=$(instance_pids "$dir")
  [ -z "$pids" ] || die "processes still running for $dir: $pids"
  rm -f "$dir/innd.launch.pid"
  log "stopped instance $dir"
}

status_inn() {
  local dir
  dir=$(cd "$1" && pwd)
  echo "processes: $(instance_pids "$dir" | tr '\n' ' ')"
  as_news "$dir" "$NEWSBIN/ctlinnd" -t 5 mode 2>&1 || true
}

cmd=${1:-}; shift || true
case $cmd in
  install) install_inn ;;
  start) start_inn "$@" ;;
  create-groups) create_groups "$@" ;;
  stop) stop_inn "$@" ;;
  status) status_inn "$@" ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac

#!/usr/bin/env bash
# Page loads over a slow link (issue 19): the sign-in page, home, a conversation and a newsgroup thread,
# cold and warm, JavaScript on and off, in headless Chromium behind ../shared/slowlink's emulated link.
#
#   flock /tmp/starcon-bench.lock Benchmarks/slowlink/run.sh        # RATE=64kbit RTT_MS=400 REPEAT=3
#
# Root only (a network namespace); needs chromium, chromium-driver, iproute2 and ethtool (without ethtool the
# veth checksum offloads stay on and the emulated link drops every TCP segment). A fresh `starcon demo`
# instance serves on 10.200.0.1; the page-load script runs in the client namespace with a demo member's session cookie. Figures, not assertions.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SLOWLINK=${SLOWLINK:-$ROOT/../shared/slowlink}
[ -d "$SLOWLINK" ] || SLOWLINK=/work/shared/slowlink
BIN=${STARCON_BIN:-$ROOT/.build/release/starcon}
RATE=${RATE:-64kbit}; RTT_MS=${RTT_MS:-400}; REPEAT=${REPEAT:-3}
VENV=${SLOWLINK_VENV:-/tmp/slowlink-venv}
PORT=${PORT:-8180}
OUT=${OUTDIR:-/tmp/slowlink/starcon-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
DATA=$(mktemp -d)
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
    "$SLOWLINK/netns.sh" down >/dev/null 2>&1 || true
    rm -rf "$DATA"
}
trap cleanup EXIT
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q selenium requests; }

"$BIN" demo --data "$DATA" > "$OUT/demo.txt"
PASSWORD=$(sed -n 's/.*signs in with the password: //p' "$OUT/demo.txt")
"$BIN" group create starcon.general --description "General discussion" --data "$DATA" >/dev/null
"$SLOWLINK/netns.sh" up "$RATE" "$RTT_MS"
"$BIN" serve --data "$DATA" --host 10.200.0.1 --http-port "$PORT" --nntp-port 0 --smtp-port 0 --imap-port 0 \
    > "$OUT/serve.out" 2> "$OUT/serve.err" &
SERVER=$!
BASE="http://10.200.0.1:$PORT"
for _ in $(seq 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done

# A member's session and the URLs of a conversation and a thread, read from this side (not over the link).
read -r COOKIE CONVERSATION THREAD < <("$VENV/bin/python" - "$BASE" "$PASSWORD" <<'PY'
import re, sys, requests
base, password = sys.argv[1], sys.argv[2]
s = requests.Session()
page = s.get(base + "/login")
token = re.search(r'name="_csrf" value="([^"]*)"', page.text).group(1)
s.post(base + "/login", data={"_csrf": token, "username": "minjun", "password": password})
found = re.search(r'href="(/messages/\d+)', s.get(base + "/messages").text)
if not found:  # the demo's chats may not include minjun: start one, with a few messages
    page = s.get(base + "/messages")
    token = re.search(r'name="_csrf" value="([^"]*)"', page.text).group(1)
    found = re.search(r'/messages/(\d+)', s.post(base + "/messages", data={"_csrf": token, "members": "olga"}).url)
    for n in range(10):
        s.post(base + found.group(0) + "/send", data={"_csrf": token, "client_key": f"bench-{n}", "text": f"message {n}"})
conversation = found.group(0) if found.group(0).startswith("/messages/") else found.group(1)
group = "/newsgroups/starcon.general"
token = re.search(r'name="_csrf" value="([^"]*)"', s.get(base + group).text).group(1)
for n in range(3):
    s.post(base + group + "/post", data={"_csrf": token, "subject": f"Water schedule {n}",
                                         "body": "The water is off on Tuesday from 9 to 12.\n" * 8})
thread = re.search(r'href="(' + re.escape(group) + r'/threads/[^"]+)"', s.get(base + group).text).group(1)
print("sc_session=" + s.cookies["sc_session"], conversation, thread)
PY
)

for path in /login / "$CONVERSATION" "$THREAD"; do
    for js in on off; do
        cookie=(--cookie "$COOKIE"); [ "$path" = /login ] && cookie=()
        echo "== $path js=$js" >&2
        ip netns exec slowclient "$VENV/bin/python" "$SLOWLINK/pageload.py" "$BASE$path" --js "$js" \
            --repeat "$REPEAT" --label "$RATE/${RTT_MS}ms" "${cookie[@]}" | tee -a "$OUT/log.txt" | tail -1 >> "$OUT/results.jsonl"
    done
done

python3 - "$OUT/results.jsonl" "$RATE" "$RTT_MS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"\nlink {sys.argv[2]} rtt {sys.argv[3]}ms (median of repeats; ms from navigation start)")
print(f"| page | JS | cache | TTFB ms | load ms | bytes | requests | 304s |")
print(f"|---|---|---|---:|---:|---:|---:|---:|")
for r in rows:
    path = "/" + r["url"].split("/", 3)[3]
    for k in ("cold", "warm"):
        s = r["summary"][k]
        print(f"| {path} | {r['js']} | {k} | {s['ttfb_ms']:.0f} | {s['load_ms']:.0f} | {s['bytes']:.0f} | {s['requests']:.0f} | {s['revalidated']:.0f} |")
PY
echo "raw: $OUT/results.jsonl" >&2

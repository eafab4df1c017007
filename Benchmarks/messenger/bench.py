#!/usr/bin/env python3
"""The messenger benchmark: N members connected over WebSockets at once on loopback, 1:1 and 50-member groups.

Starts its own `starcon serve` (a release build) on a fresh data directory, creates the members with
`starcon user add`, takes OAuth tokens with the password grant, then measures:

  * GET /healthz latency (the baseline on the same server),
  * server RSS per idle connection: (VmRSS with N idle streams - VmRSS with none) / N,
  * send (REST) -> `message` frame delivery latency p50/p99/max at a fixed send rate, 1:1 and groups,
  * messages/s: the fixed-rate phases' achieved rate, and a closed-loop burst,
  * catch-up: N clients disconnect, messages are sent meanwhile, all N reconnect at once with ?last_id=;
    time until every client has every message it missed,
  * that no message was lost or duplicated: every member of a conversation receives every acknowledged
    message of it exactly once, live or on catch-up.

Receivers run in separate processes (asyncio on uvloop when it is installed + `websockets`), the sender in another one (threads +
`requests`), so the Python client does not share one core with itself. Times are CLOCK_MONOTONIC, which is
system-wide on Linux.

    python3 Benchmarks/messenger/bench.py --bin .build/release/starcon
    python3 Benchmarks/messenger/bench.py --bin .build/release/starcon --database postgres://postgres@127.0.0.1:PORT/postgres
    # two nodes on one PostgreSQL: sends go to node 1, every receiver is connected to node 2
    python3 Benchmarks/messenger/bench.py --bin .build/release/starcon --database URL --nodes 2 --postgres-dir /tmp/pg-DIR

`--setup DIR` keeps the members and their tokens (DIR/tokens.json, and the SQLite store in DIR) for the next
run with the same DIR and database, which then skips the 3 minutes of bcrypt; each run makes its own
conversations and client keys, so runs on one store do not see each other's messages.
"""
import argparse
import asyncio
import json
import multiprocessing as mp
import os
import queue
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

PASSWORD = "correct horse battery staple"
KEY = re.compile(rb'"client_key":"b-(\d+)"')
SEQ = re.compile(rb'"seq":"(\d+)"')


def raise_open_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids(directory):
    """The postmaster of the cluster in DIRECTORY (scripts/postgres.sh's layout) and its children: its
    backends and background workers, not other clusters on the machine."""
    with open(os.path.join(directory, "data", "postmaster.pid")) as f:
        master = int(f.readline())
    pids = [master]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        pids.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return pids


def postgres_cpu_seconds(directory):
    """CPU of the cluster's processes. A backend that exits between two readings takes its time with it,
    so the servers' pooled connections (which stay) are what this counts."""
    if not directory:
        return 0.0
    total = 0.0
    for pid in postgres_pids(directory):
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


def machine_busy_seconds():
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(ms):
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 2), "p99_ms": round(pct(ms, 99), 2), "max_ms": round(max(ms), 2) if ms else None}


# ----------------------------------------------------------------------------------------------------------
# Receivers: one process holds a share of the connections.

def receiver_main(base_ws, members, commands, results):
    """members: [(index, token)]. Commands from the parent: ('connect', last_ids|None), ('disconnect',),
    ('report',), ('quit',). Each member's frames are kept as (client_key seq, monotonic time)."""
    raise_open_files()
    try:  # libuv's event loop: the receivers are the load generator's busiest part (pip install uvloop)
        import uvloop
        run = uvloop.run
    except ImportError:
        run = asyncio.run
    run(receiver_loop(base_ws, members, commands, results))


async def receiver_loop(base_ws, members, commands, results):
    import websockets
    loop = asyncio.get_running_loop()
    received = {index: [] for index, _ in members}  # index -> [(seq, t)]
    last_seq = {index: 0 for index, _ in members}
    sockets = {}
    tasks = []
    ready_times = {}
    errors = []

    async def run(index, token, resume):
        url = f"{base_ws}/api/starcon/v1/stream?access_token={token}"
        if resume is not None:
            url += f"&last_seq={resume}"
        for attempt in range(20):
            try:
                ws = await websockets.connect(url, open_timeout=60, ping_interval=None, max_size=2**22, compression=None)
                break
            except Exception as error:  # noqa: BLE001 - retried, then reported
                if attempt == 19:
                    errors.append(f"{index}: {error!r}")
                    return
                await asyncio.sleep(0.2 + random.random())
        sockets[index] = ws
        got = received[index]
        try:
            while True:
                data = await ws.recv(decode=False)  # the bytes as sent: no UTF-8 decode and encode per frame
                now = time.monotonic()
                if data.startswith(b'{"event":"message"'):
                    m = KEY.search(data)
                    if m:
                        got.append((int(m.group(1)), now))
                    i = SEQ.search(data, data.index(b'"payload"'))
                    if i:  # the message's place in the log: exact on any node to resume from
                        last_seq[index] = max(last_seq[index], int(i.group(1)))
                elif data.startswith(b'{"event":"ready"'):
                    ready_times[index] = now
        except websockets.ConnectionClosed:
            pass
        except Exception as error:  # noqa: BLE001
            errors.append(f"{index}: {error!r}")

    while True:
        command = await loop.run_in_executor(None, commands.get)
        if command[0] == "connect":
            resume = command[1]
            ready_times.clear()
            errors.clear()
            started = time.monotonic()
            # Connect in waves so the listen backlog is not the thing measured.
            for n, (index, token) in enumerate(members):
                tasks.append(asyncio.create_task(run(index, token, None if resume is None else last_seq[index])))
                if n % 50 == 49:
                    await asyncio.sleep(0)
            while len(ready_times) + len(errors) < len(members):
                await asyncio.sleep(0.01)
            results.put(("connected", started, max(ready_times.values()) if ready_times else None, len(ready_times), list(errors)))
        elif command[0] == "disconnect":
            await asyncio.gather(*(ws.close() for ws in sockets.values()), return_exceptions=True)
            await asyncio.gather(*tasks, return_exceptions=True)
            sockets.clear()
            tasks.clear()
            results.put(("disconnected",))
        elif command[0] == "report":
            results.put(("report", {i: list(v) for i, v in received.items()}))
        elif command[0] == "quit":
            await asyncio.gather(*(ws.close() for ws in sockets.values()), return_exceptions=True)
            return


class Receivers:
    def __init__(self, base_ws, tokens, processes):
        self.procs, self.commands, self.results = [], [], mp.Queue()
        shares = [[] for _ in range(processes)]
        for index, token in enumerate(tokens):
            shares[index % processes].append((index, token))
        for share in shares:
            q = mp.Queue()
            p = mp.Process(target=receiver_main, args=(base_ws, share, q, self.results), daemon=True)
            p.start()
            self.procs.append(p)
            self.commands.append(q)

    def all(self, command, expect):
        for q in self.commands:
            q.put(command)
        answers = []
        for _ in self.procs:
            answer = self.results.get(timeout=600)
            assert answer[0] == expect, answer
            answers.append(answer)
        return answers

    def connect(self, resume=False):
        answers = self.all(("connect", resume or None), "connected")
        errors = [e for a in answers for e in a[4]]
        return min(a[1] for a in answers), max(a[2] for a in answers if a[2]), sum(a[3] for a in answers), errors

    def report(self):
        merged = {}
        for answer in self.all(("report",), "report"):
            merged.update(answer[1])
        return merged

    def quit(self):
        for q in self.commands:
            q.put(("quit",))
        for p in self.procs:
            p.join(timeout=10)


# ----------------------------------------------------------------------------------------------------------
# Sender: REST at a fixed rate (open loop), or as fast as `workers` threads go (closed loop).

def sender_main(base, plan, rate, workers, results):
    """plan: [(seq, conversation_id, token)]. Puts (seq, t_send, t_ack, message_id) per acknowledged send."""
    local = threading.local()
    start = time.monotonic() + 0.5
    out = []
    lock = threading.Lock()
    failures = []

    def session():
        if not hasattr(local, "s"):
            local.s = requests.Session()
        return local.s

    def send(item):
        n, (seq, cid, token) = item
        if rate:
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        t0 = time.monotonic()
        try:
            r = session().post(f"{base}/api/starcon/v1/conversations/{cid}/messages", json={"text": f"bench {seq}", "client_key": f"b-{seq}"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=60)
            t1 = time.monotonic()
            if r.status_code == 200:
                with lock:
                    out.append((seq, t0, t1, int(r.json()["id"])))
            else:
                failures.append((seq, r.status_code, r.text[:200]))
        except Exception as error:  # noqa: BLE001
            failures.append((seq, "exception", repr(error)))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(send, enumerate(plan)))
    results.put((out, failures))


def run_sender(base, plan, rate, workers):
    results = mp.Queue()
    p = mp.Process(target=sender_main, args=(base, plan, rate, workers, results))
    p.start()
    out, failures = results.get()
    p.join()
    return out, failures


# ----------------------------------------------------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=".build/release/starcon")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--group-size", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200, help="messages/s in the fixed-rate phases")
    parser.add_argument("--seconds", type=float, default=20, help="length of each fixed-rate phase")
    parser.add_argument("--burst", type=int, default=2000, help="messages in the closed-loop burst (0: skip)")
    parser.add_argument("--catchup", type=int, default=2000, help="messages sent while everyone is away")
    parser.add_argument("--receivers", type=int, default=2, help="receiver processes")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--database", help="a PostgreSQL URL with an empty database (default: SQLite in the data directory)")
    parser.add_argument("--nodes", type=int, default=1, choices=(1, 2),
                        help="2: two servers on the same --database; sends go to node 1, receivers connect to node 2")
    parser.add_argument("--setup", help="keep members and tokens here and reuse them on the next run (see above)")
    parser.add_argument("--setup-only", action="store_true", help="with --setup: create the members and tokens, then stop")
    parser.add_argument("--postgres-dir", help="the cluster's directory (scripts/postgres.sh start DIR): report its CPU")
    args = parser.parse_args()
    assert args.nodes == 1 or args.database, "--nodes 2 needs --database (two nodes share one PostgreSQL)"
    limit = raise_open_files()
    assert limit >= args.members + 200, f"open-files limit {limit} is too low"
    binary = os.path.abspath(args.bin)
    data = args.setup or tempfile.mkdtemp(prefix="starcon-bench-")
    os.makedirs(data, exist_ok=True)
    store = ["--data", data] + (["--database", args.database] if args.database else [])
    names = [f"m{i:04d}" for i in range(args.members)]
    results = {"members": args.members, "group_size": args.group_size, "rate": args.rate, "seconds": args.seconds,
               "store": "postgresql" if args.database else "sqlite", "nodes": args.nodes,
               "load_before": open("/proc/loadavg").read().split()[:3]}
    t_all = time.monotonic()

    tokens_file = os.path.join(data, "tokens.json")
    reuse = os.path.exists(tokens_file)
    print(f"creating {args.members} members in {data} …" if not reuse else f"reusing the members of {data}", flush=True)
    t = time.monotonic()

    def add(name):
        for _ in range(5):
            r = subprocess.run([binary, "user", "add", name, *store], input=PASSWORD + "\n", capture_output=True, text=True)
            if r.returncode == 0 or "taken" in r.stderr or "exists" in r.stderr:
                return
            time.sleep(0.2)
        raise RuntimeError(r.stderr)
    subprocess.run([binary, "migrate", *store], check=True, capture_output=True)
    if not reuse:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(add, names))
        print(f"  {time.monotonic() - t:.0f} s", flush=True)

    nodes = []
    try:
        for k in range(args.nodes):
            port = free_port()
            # Each node its own data directory (logs, media); on PostgreSQL they share the store.
            node_data = data if k == 0 else os.path.join(data, f"node{k + 1}")
            os.makedirs(node_data, exist_ok=True)
            node_store = ["--data", node_data] + (["--database", args.database] if args.database else [])
            # Every simulated member connects from 127.0.0.1: lift the per-address connection cap (256 by
            # default, docs/SECURITY.md) that would otherwise refuse all but the first 256 sockets.
            env = dict(os.environ, STARCON_MAX_CONNECTIONS_PER_ADDRESS="100000")
            server = subprocess.Popen([binary, "serve", *node_store, "--host", "127.0.0.1", "--http-port", str(port), "--nntp-port", "0",
                                       "--smtp-port", "0", "--imap-port", "0"], stdout=subprocess.DEVNULL,
                                      stderr=open(os.path.join(node_data, "server.log"), "w"), env=env)
            nodes.append((server, f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"))
        for _, base, _ in nodes:
            for _ in range(300):
                try:
                    if requests.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                time.sleep(0.1)
        results["server"] = run(args, nodes, names, tokens_file)
    finally:
        for server, _, _ in nodes:
            server.send_signal(signal.SIGTERM)
        for server, _, _ in nodes:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep and not args.setup:
            shutil.rmtree(data, ignore_errors=True)
    results["load_after"] = open("/proc/loadavg").read().split()[:3]
    results["total_seconds"] = round(time.monotonic() - t_all, 1)
    print(json.dumps(results, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if args.setup_only:
        sys.exit(0)
    ok = results["server"]["verify"]["lost"] == 0 and results["server"]["verify"]["duplicated"] == 0
    sys.exit(0 if ok else 1)


def run(args, nodes, names, tokens_file):
    out = {}
    # Node 1 takes the sends (and /healthz, the setup); the receivers connect to the last node, so with two
    # nodes every delivery measured crosses from one node to the other through the event log.
    server, base, _ = nodes[0]
    base_ws = nodes[-1][2]
    servers = [node[0] for node in nodes]
    out["cross_node"] = len(nodes) > 1
    # Tokens.
    t = time.monotonic()
    if os.path.exists(tokens_file):
        with open(tokens_file) as f:
            tokens = json.load(f)
        assert len(tokens) == len(names), f"{tokens_file} holds {len(tokens)} tokens, not {len(names)}"
    else:
        app = requests.post(base + "/api/v1/apps", data={"client_name": "bench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}).json()

        def token(name):
            r = requests.post(base + "/oauth/token", data={"grant_type": "password", "username": name, "password": PASSWORD,
                                                           "client_id": app["client_id"], "client_secret": app["client_secret"], "scope": "read write"}, timeout=60)
            return r.json()["access_token"]
        with ThreadPoolExecutor(max_workers=4) as pool:
            tokens = list(pool.map(token, names))
        if args.setup:
            with open(tokens_file, "w") as f:
                json.dump(tokens, f)
        print(f"tokens: {time.monotonic() - t:.0f} s", flush=True)
    if args.setup_only:
        return {"setup_only": True}

    # Conversations: member i and i+N/2 share a 1:1 conversation; consecutive blocks of group_size are groups.
    n = len(names)
    s = requests.Session()
    members_of = {}  # cid -> [member index]
    directs, groups = [], []
    for i in range(n // 2):
        j = i + n // 2
        cid = s.post(base + "/api/starcon/v1/conversations", json={"members": [names[j]]}, headers={"Authorization": f"Bearer {tokens[i]}"}).json()["id"]
        members_of[cid] = [i, j]
        directs.append(cid)
    for g in range(n // args.group_size):
        block = list(range(g * args.group_size, (g + 1) * args.group_size))
        cid = s.post(base + "/api/starcon/v1/conversations", json={"members": [names[k] for k in block[1:]], "title": f"g{g}", "group": True},
                     headers={"Authorization": f"Bearer {tokens[block[0]]}"}).json()["id"]
        members_of[cid] = block
        groups.append(cid)

    # Baseline: /healthz on the same server.
    for _ in range(100):
        s.get(base + "/healthz")
    lat = []
    for _ in range(2000):
        t0 = time.monotonic()
        assert s.get(base + "/healthz").status_code == 200
        lat.append((time.monotonic() - t0) * 1000)
    out["healthz"] = summary(lat)
    print("healthz", out["healthz"], flush=True)

    # Memory per idle connection.
    time.sleep(2)
    rss_none = rss_kb(servers[-1].pid)
    receivers = Receivers(base_ws, tokens, args.receivers)
    started, all_ready, connected, errors = receivers.connect()
    out["connect"] = {"connections": connected, "errors": errors[:5], "seconds_until_all_ready": round(all_ready - started, 2)}
    print("connected", out["connect"], flush=True)
    time.sleep(5)
    rss_idle = rss_kb(servers[-1].pid)
    out["rss"] = {"no_connections_kb": rss_none, "idle_connections_kb": rss_idle,
                  "per_idle_connection_kb": round((rss_idle - rss_none) / max(1, connected), 1)}
    print("rss", out["rss"], flush=True)

    seq = [int(time.time()) * 1_000_000]  # client keys of their own, so runs on a reused store never collide
    sent = {}  # seq -> (cid, t_send, t_ack, message id)

    def plan(conversations, count):
        items = []
        for k in range(count):
            cid = conversations[k % len(conversations)]
            sender = random.choice(members_of[cid])
            seq[0] += 1
            items.append((seq[0], cid, tokens[sender]))
        return items

    def send_phase(name, conversations, count, rate, workers):
        items = plan(conversations, count)
        cid_of = {it[0]: it[1] for it in items}
        t0 = time.monotonic()
        cpus0, pg0, busy0 = [cpu_seconds(p.pid) for p in servers], postgres_cpu_seconds(args.postgres_dir), machine_busy_seconds()
        acked, failures = run_sender(base, items, rate, workers)
        wall = time.monotonic() - t0
        cpus1, pg1, busy1 = [cpu_seconds(p.pid) for p in servers], postgres_cpu_seconds(args.postgres_dir), machine_busy_seconds()
        cpu0, cpu1 = sum(cpus0), sum(cpus1)
        elapsed = wall - (0.5 if rate else 0)
        for q, ts, ta, mid in acked:
            sent[q] = (cid_of[q], ts, ta, mid)
        phase = {"sent": len(items), "acknowledged": len(acked), "failures": failures[:3],
                 "messages_per_s": round(len(acked) / max(0.001, elapsed), 1),
                 "ack_ms": summary([(ta - ts) * 1000 for _, ts, ta, _ in acked]),
                 # Cores in use during the phase: the server's, and everything else's (mostly this load generator).
                 "server_cores": round((cpu1 - cpu0) / wall, 2),
                 "server_cores_per_node": [round((b - a) / wall, 2) for a, b in zip(cpus0, cpus1)],
                 "server_cpu_ms_per_message": round((cpu1 - cpu0) * 1000 / max(1, len(acked)), 3),
                 "other_cores": round(((busy1 - busy0) - (cpu1 - cpu0)) / wall, 2)}
        if args.postgres_dir:
            phase["postgres_cores"] = round((pg1 - pg0) / wall, 2)
            phase["postgres_cpu_ms_per_message"] = round((pg1 - pg0) * 1000 / max(1, len(acked)), 3)
            phase["other_cores"] = round(phase["other_cores"] - phase["postgres_cores"], 2)
        phase["load"] = open("/proc/loadavg").read().split()[0]
        out[name] = phase
        print(name, phase, flush=True)
        return [q for q, *_ in acked]

    count = int(args.rate * args.seconds)
    live_seqs = {}
    live_seqs["direct"] = send_phase("direct_fixed_rate", directs, count, args.rate, 32)
    time.sleep(2)
    live_seqs["group"] = send_phase("group_fixed_rate", groups, count, args.rate, 32)
    time.sleep(2)
    if args.burst:
        live_seqs["burst"] = send_phase("direct_burst_closed_loop", directs, args.burst, None, 16)
    time.sleep(3)

    report = receivers.report()
    first_delivery = {}  # (member, seq) -> t
    deliveries = {}
    for member, frames in report.items():
        for q, t in frames:
            deliveries[(member, q)] = deliveries.get((member, q), 0) + 1
            first_delivery.setdefault((member, q), t)
    for phase, seqs in live_seqs.items():
        lat = []
        for q in seqs:
            cid, ts, _, _ = sent[q]
            for m in members_of[cid]:
                if (m, q) in first_delivery:
                    lat.append((first_delivery[(m, q)] - ts) * 1000)
        out[{"direct": "direct_fixed_rate", "group": "group_fixed_rate", "burst": "direct_burst_closed_loop"}[phase]]["delivery_ms"] = summary(lat)
        out[{"direct": "direct_fixed_rate", "group": "group_fixed_rate", "burst": "direct_burst_closed_loop"}[phase]]["frames"] = len(lat)
        print(phase, "delivery", summary(lat), flush=True)

    # Catch-up: everyone away; messages sent meanwhile (half 1:1, half groups); everyone back at once.
    receivers.all(("disconnect",), "disconnected")
    time.sleep(1)
    away = send_phase("sent_while_away", directs + groups, args.catchup, None, 16)
    before = {k: v for k, v in report.items()}
    t_re, all_ready, connected, errors = receivers.connect(resume=True)
    catch = {"connections": connected, "errors": errors[:5], "messages": len(away),
             "frames_expected": sum(len(members_of[sent[q][0]]) for q in away),
             "seconds_until_all_caught_up": round(all_ready - t_re, 2)}
    out["catch_up"] = catch
    print("catch-up", catch, flush=True)
    time.sleep(1)

    # Verification over everything: each acknowledged message reached each member of its conversation once.
    report = receivers.report()
    receivers.quit()
    counts = {}
    for member, frames in report.items():
        for q, _ in frames:
            counts[(member, q)] = counts.get((member, q), 0) + 1
    expected = lost = duplicated = 0
    for q, (cid, *_rest) in sent.items():
        for m in members_of[cid]:
            expected += 1
            c = counts.get((m, q), 0)
            if c == 0:
                lost += 1
            elif c > 1:
                duplicated += 1
    unexpected = sum(1 for (m, q) in counts if q not in sent or m not in members_of[sent[q][0]])
    out["verify"] = {"messages": len(sent), "deliveries_expected": expected, "lost": lost, "duplicated": duplicated, "unexpected": unexpected}
    print("verify", out["verify"], flush=True)
    out["rss_end_kb"] = rss_kb(servers[-1].pid)
    return out


if __name__ == "__main__":
    mp.set_start_method("fork")
    main()

#!/usr/bin/env python3
"""CPU per home-timeline request from the processes' own counters: one node on SQLite, one node on
PostgreSQL, two nodes on the same PostgreSQL (the load split across both). See docs/BENCHMARKS.md,
"Nodes and the event log".

usage: nodes.py --bin STARCON --sqlite-data DIR --database URL --postgres-dir DIR [--configs sqlite1,pg1,pg2]
                [--repeats 2] [--duration 15] [--conns 32] [--out results.jsonl]

Each configuration starts its servers fresh (`starcon serve`, each node its own --data directory; on
PostgreSQL they share the store), takes 50 tokens once per store (client.py tokens, kept in the out
directory), warms up 3 s, then runs `wrk` (wrk.lua, rotating the tokens) against every node at once, the
connections split evenly (one wrk per node; 2 threads in all). Around the measured run it reads utime + stime
of every server process and of the PostgreSQL cluster's processes (the postmaster in POSTGRES_DIR and its
children: backends and workers, not other clusters on the machine) from /proc/PID/stat, and divides the
deltas by the requests served. Configurations run interleaved (order reversed on every other repeat) so
the machine's other load hits them alike; the load average is recorded with each run.
"""
import argparse, json, os, socket, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "messenger"))
from bench import cpu_seconds, postgres_cpu_seconds  # noqa: E402  (same /proc readers as the messenger benchmark)

PASSWORD = "benchpass123"
HOME = "/api/v1/timelines/home?limit=20"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def healthy(port):
    return subprocess.run(["curl", "-fs", f"http://127.0.0.1:{port}/healthz"], capture_output=True).returncode == 0


def start(args, config, out):
    if config == "sqlite1":
        stores = [["--data", args.sqlite_data]]
    else:
        count = 2 if config == "pg2" else 1
        stores = []
        for k in range(count):
            d = os.path.join(out, f"node{k + 1}")
            os.makedirs(d, exist_ok=True)
            stores.append(["--data", d, "--database", args.database])
    nodes = []
    for k, store in enumerate(stores):
        port = free_port()
        log = open(os.path.join(out, f"server-{config}-{k + 1}.log"), "a")
        p = subprocess.Popen([args.bin, "serve", *store, "--host", "127.0.0.1", "--http-port", str(port), "--nntp-port", "0",
                              "--smtp-port", "0", "--imap-port", "0"], stdout=subprocess.DEVNULL, stderr=log)
        nodes.append((p, port))
    for p, port in nodes:
        for _ in range(300):
            if healthy(port):
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"node on {port} did not start")
    return nodes


def stop(nodes):
    for p, _ in nodes:
        p.terminate()
    for p, _ in nodes:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def wrk(port, conns, threads, seconds, tokens):
    env = dict(os.environ, BENCH_PATH=HOME, BENCH_TOKENS=tokens)
    return subprocess.Popen(["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--timeout", "10s",
                             "-s", os.path.join(HERE, "wrk.lua"), f"http://127.0.0.1:{port}"],
                            env=env, stdout=subprocess.PIPE, text=True)


def result(p):
    text, _ = p.communicate()
    return json.loads(next(line for line in text.splitlines() if line.startswith("{")))


def measure(args, config, out, tokens_of):
    nodes = start(args, config, out)
    try:
        store = "sqlite" if config == "sqlite1" else "pg"
        tokens = tokens_of.get(store)
        if not tokens:
            tokens = os.path.join(out, f"tokens-{store}.txt")
            subprocess.run([sys.executable, os.path.join(HERE, "client.py"), "tokens", f"http://127.0.0.1:{nodes[0][1]}", "50",
                            PASSWORD, tokens], check=True, stdout=subprocess.DEVNULL)
            tokens_of[store] = tokens
        n = len(nodes)
        for w in [wrk(port, args.conns // n, max(1, 2 // n), 3, tokens) for _, port in nodes]:  # warm-up
            result(w)
        load = open("/proc/loadavg").read().split()[0]
        cpu0 = [cpu_seconds(p.pid) for p, _ in nodes]
        pg0 = postgres_cpu_seconds(args.postgres_dir) if store == "pg" else 0.0
        t0 = time.monotonic()
        runs = [result(w) for w in [wrk(port, args.conns // n, max(1, 2 // n), args.duration, tokens) for _, port in nodes]]
        wall = time.monotonic() - t0
        cpu1 = [cpu_seconds(p.pid) for p, _ in nodes]
        pg1 = postgres_cpu_seconds(args.postgres_dir) if store == "pg" else 0.0
        requests = sum(r["requests"] for r in runs)
        server_s = sum(cpu1) - sum(cpu0)
        return {"config": config, "nodes": n, "load": load, "requests": requests,
                "rps": round(sum(r["rps"] for r in runs), 1),
                "p50_ms": [r["p50_ms"] for r in runs], "p99_ms": [r["p99_ms"] for r in runs],
                "errors": sum(r["errors"] + r["non2xx"] for r in runs),
                "server_cpu_ms_per_request": round(server_s * 1000 / requests, 4),
                "server_cpu_ms_per_request_per_node": [round((b - a) * 1000 / r["requests"], 4) for a, b, r in zip(cpu0, cpu1, runs)],
                "postgres_cpu_ms_per_request": round((pg1 - pg0) * 1000 / requests, 4) if store == "pg" else None,
                "server_cores": round(server_s / wall, 2), "postgres_cores": round((pg1 - pg0) / wall, 2)}
    finally:
        stop(nodes)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--sqlite-data", required=True)
    ap.add_argument("--database", required=True)
    ap.add_argument("--postgres-dir", required=True)
    ap.add_argument("--configs", default="sqlite1,pg1,pg2")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--conns", type=int, default=32)
    ap.add_argument("--out", default=f"/tmp/feed-nodes-{time.strftime('%Y%m%d-%H%M%S')}")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    os.makedirs(args.out, exist_ok=True)
    configs = args.configs.split(",")
    tokens_of = {}
    with open(os.path.join(args.out, "results.jsonl"), "a") as f:
        for r in range(args.repeats):
            for config in (configs if r % 2 == 0 else configs[::-1]):
                row = measure(args, config, args.out, tokens_of)
                row["repeat"] = r + 1
                print(json.dumps(row), flush=True)
                f.write(json.dumps(row) + "\n")
    print(f"results in {args.out}")


if __name__ == "__main__":
    main()

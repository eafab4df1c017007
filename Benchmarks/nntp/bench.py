#!/usr/bin/env python3
"""asyncio NNTP load generator (raw sockets, no nntplib).

    bench.py --host 127.0.0.1 --port PORT [--user U --password P] [--label NAME]
             [--scenario over,article,post] [--connections 50] [--duration 10]
             [--warmup 1] [--requests N] [--repeats 3] [--jsonl results.jsonl]

Scenarios (one request = the timed unit):
  over     GROUP g (211) + OVER first-last (224, 1,000 overview lines) on a random group
           and a random window of 1,000 existing articles.
  article  ARTICLE n (220) for a random existing number n in the connection's group
           (connection i uses group i mod G, selected once at connect time); the
           multi-line answer is read to the '.' line, un-dot-stuffed, and the Message-ID
           of the status line must appear in the headers.
  post     POST (340) + a new ~1.5 KB UTF-8 article (240), random group.
  mixed    what readers do together: each request is OVER, ARTICLE or POST in equal parts
           (random choice per request); OVER and ARTICLE first select a random group with
           GROUP, timed on its own.  One request = one of OVER, ARTICLE, POST (the GROUP
           before it is part of no count but has its own p50/p99); the run reports p50/p99
           per operation (group, over, article, post) under "ops".

Every connection connects and, when --user is given, runs AUTHINFO USER/PASS before the
clock starts.  Each run lasts --warmup + --duration seconds (requests finished during the
warm-up are not counted) or until --requests have been made, whichever is first; it is
always bounded (every response has a --timeout, and the run a hard limit).  Any
unexpected status, malformed or truncated response counts as an error (the connection
is then reopened).

Output: one JSON object per run and one summary per scenario (median over runs) on
stdout, appended to --jsonl if given, plus Markdown table rows (see report.py).
Only loopback targets are accepted.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nntpcommon import (ArticleFactory, Conn, NNTPError, check_loopback, dot_unstuff,  # noqa: E402
                        install_fast_loop, pct, watchdog)

SCENARIOS = ("over", "article", "post", "mixed")
MIXED_OPS = ("over", "article", "post")


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v) - idle, sum(v)
    except OSError:
        return 0.0, 0.0


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def proc_cpu_s(pids: list[int]) -> float | None:
    """CPU seconds (user+system) used so far by the server processes and all their children:
    their own, that of their reaped children (cutime+cstime: innd reaps the nnrpd it forks for
    each reader connection) and that of their live children (the nnrpd still connected).
    The difference of two readings is the CPU the server used in between."""
    if not pids:
        return None
    tck = os.sysconf("SC_CLK_TCK")
    total = 0
    want = set(pids)
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            v = _stat(int(p))
        except (OSError, IndexError):
            continue
        if int(p) in want or int(v[1]) in want:  # v[1] is the parent pid
            total += int(v[11]) + int(v[12]) + int(v[13]) + int(v[14])
    return total / tck


def listener_pids(port: int) -> list[int]:
    """pids listening on 127.0.0.1:port (from ss -ltnp), to meter the server's CPU."""
    try:
        out = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({int(x) for x in re.findall(r"pid=(\d+)", out)})


class Run:
    def __init__(self, a: argparse.Namespace, scenario: str, ranges: dict[str, tuple[int, int, int]],
                 run_no: int, shard_no: int = 0):
        self.a = a
        self.scenario = scenario
        self.ranges = ranges
        self.groups = sorted(ranges)
        self.run_no = run_no
        self.lat: list[float] = []
        self.op_lat: dict[str, list[float]] = {op: [] for op in ("group",) + MIXED_OPS}
        self.errors = 0
        self.error_samples: list[str] = []
        self.short_over = 0
        self.completed = 0
        self.over_lines = 0
        self.bytes_in = 0
        self.budget = a.requests if a.requests else None
        self.t_measure = 0.0
        self.deadline = 0.0
        self.stop = False
        self.tag = f"b{int(time.time())}.{os.getpid()}.{run_no}.{shard_no}"
        self.posts: list[tuple[str, bytes]] = []
        if scenario in ("post", "mixed"):
            f = ArticleFactory(self.groups, seed=run_no + 1000, tag=self.tag, min_size=1300,
                               max_size=1700, reply_ratio=0.3)
            for i in range(256):
                _, art = f.make(i)
                # drop the Message-ID line: a unique one is added per post
                lines = art.split(b"\r\n")
                lines = [x for x in lines if not x.startswith(b"Message-ID: ")]
                self.posts.append((self.groups[i % len(self.groups)], b"\r\n".join(lines)))
        self.seq = 0

    def err(self, msg: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(msg[:200])

    def want_more(self) -> bool:
        if self.stop or time.perf_counter() >= self.deadline:
            return False
        if self.budget is not None and time.perf_counter() >= self.t_measure:  # warm-up is not counted
            if self.budget <= 0:
                return False
            self.budget -= 1
        return True

    async def open_conn(self, idx: int) -> tuple[Conn, str | None]:
        a = self.a
        c = await Conn.open(a.host, a.port, timeout=a.timeout)
        await c.greet_and_auth(a.user, a.password, a.mode_reader)
        g = None
        if self.scenario == "article":
            g = self.groups[idx % len(self.groups)]
            await c.group(g)
        return c, g

    def timed(self, op: str, started: float) -> None:
        done = time.perf_counter()
        if done >= self.t_measure:
            self.op_lat[op].append((done - started) * 1000.0)

    async def one(self, c: Conn, g: str | None, rng: random.Random) -> None:
        sc = self.scenario
        if sc == "mixed":
            op = rng.choice(MIXED_OPS)
            if op != "post":
                g = rng.choice(self.groups)
                t = time.perf_counter()
                await c.group(g)
                self.timed("group", t)
            t = time.perf_counter()
            await self.one_op(op, c, g, rng, group_selected=True)
            self.timed(op, t)
        else:
            await self.one_op(sc, c, g, rng)

    async def one_op(self, sc: str, c: Conn, g: str | None, rng: random.Random, group_selected: bool = False) -> None:
        if sc == "over":
            grp = g if group_selected else rng.choice(self.groups)
            _, lo, hi = self.ranges[grp]
            span = self.a.over_range
            first = rng.randint(lo, max(lo, hi - span + 1))
            last = first + span - 1
            if not group_selected:
                await c.group(grp)
            resp = await c.expect(f"OVER {first}-{last}", ("224",))
            block = await c.read_multiline()
            lines = block.count(b"\r\n")
            tab = block.find(b"\t", 0, 24)
            if lines == 0 or tab <= 0 or not block[:tab].isdigit() or not first <= int(block[:tab]) <= last:
                raise NNTPError(f"OVER {first}-{last} in {grp}: {lines} lines, {block[:60]!r}")
            expect = min(last, hi) - first + 1
            if lines < expect:
                self.short_over += 1
            self.over_lines += lines
        elif sc == "article":
            _, lo, hi = self.ranges[g]
            num = rng.randint(lo, hi)
            resp = await c.expect(f"ARTICLE {num}", ("220",))
            parts = resp.split()
            if len(parts) < 3 or parts[1] != str(num) or not parts[2].startswith("<"):
                raise NNTPError(f"ARTICLE {num}: malformed {resp!r}")
            art = dot_unstuff(await c.read_multiline())
            sep = art.find(b"\r\n\r\n")
            if sep < 0:
                raise NNTPError(f"ARTICLE {num}: no header/body separator")
            if parts[2].encode() not in art[:sep]:
                raise NNTPError(f"ARTICLE {num}: Message-ID {parts[2]} not in headers")
        else:
            self.seq += 1
            grp, art = self.posts[self.seq % len(self.posts)]
            mid = f"<{self.tag}.{self.seq}@bench.starcon.example>"
            await c.post(f"Message-ID: {mid}\r\n".encode() + art)

    async def shard(self, idxs: list[int], barrier) -> dict:
        """Run the connections idxs in this process; barrier lines up all shards' start."""
        a = self.a
        self.deadline = time.perf_counter() + 3600  # the real one is set after the barrier
        t_setup = time.perf_counter()
        sem = asyncio.Semaphore(16)  # connect in waves (listen backlog, fork per connection)

        async def start(i: int) -> None:
            async with sem:
                await self.connect_one(i)

        self._conns: dict[int, tuple[Conn, str | None]] = {}
        try:
            await asyncio.wait_for(asyncio.gather(*(start(i) for i in idxs)), a.timeout * 4)
        except asyncio.TimeoutError:
            self.err("timeout while connecting")
        setup_s = time.perf_counter() - t_setup
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, barrier.wait, a.timeout * 4 + 30)
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        self.t_measure = t0 + a.warmup
        self.deadline = t0 + a.warmup + a.duration
        tasks = [asyncio.create_task(self.loop(i, *cg)) for i, cg in self._conns.items()]
        if tasks:
            hard = a.warmup + a.duration + a.timeout + 10
            done, pending = await asyncio.wait(tasks, timeout=hard)
            if pending:
                self.stop = True
                for t in pending:
                    t.cancel()
                self.err(f"{len(pending)} connections still busy at the hard limit; cancelled")
                await asyncio.gather(*pending, return_exceptions=True)
        t_end = time.perf_counter()
        return {
            "lat": self.lat, "errors": self.errors, "error_samples": self.error_samples,
            "connected": len(self._conns), "setup_s": setup_s, "t_measure": self.t_measure,
            "t_end": t_end, "bytes_in": self.bytes_in, "client_cpu_s": time.process_time() - cpu0,
            "over_lines": self.over_lines, "short_over": self.short_over, "completed": self.completed,
            "op_lat": self.op_lat,
        }

    async def connect_one(self, i: int) -> None:
        try:
            self._conns[i] = await self.open_conn(i)
        except Exception as e:  # noqa: BLE001
            self.err(f"connect: {type(e).__name__}: {e}")

    async def loop(self, idx: int, c: Conn, g: str | None) -> None:
        rng = random.Random(self.a.seed * 100003 + self.run_no * 1009 + idx)
        try:
            while self.want_more():
                t = time.perf_counter()
                try:
                    await self.one(c, g, rng)
                except (NNTPError, asyncio.TimeoutError, OSError) as e:
                    self.err(f"{type(e).__name__}: {e}")
                    self.bytes_in += c.bytes_in
                    c.bytes_in = 0
                    c.close()
                    if self.stop or time.perf_counter() >= self.deadline:
                        return
                    try:
                        c, g = await self.open_conn(idx)
                    except Exception as e2:  # noqa: BLE001
                        self.err(f"reconnect: {type(e2).__name__}: {e2}")
                        return
                    continue
                done = time.perf_counter()
                self.completed += 1
                if done >= self.t_measure:
                    self.lat.append((done - t) * 1000.0)
        finally:
            self.bytes_in += c.bytes_in
            await c.quit()


def _shard_main(a, scenario, ranges, run_no, idxs, barrier, q) -> None:
    try:
        install_fast_loop()
        r = Run(a, scenario, ranges, run_no, shard_no=idxs[0] if idxs else 0)
        if a.requests:
            r.budget = max(1, a.requests * len(idxs) // a.connections)

        async def go():
            wd = asyncio.create_task(watchdog())
            try:
                return await r.shard(idxs, barrier)
            finally:
                wd.cancel()

        q.put(asyncio.run(go()))
    except BaseException as e:  # noqa: BLE001
        try:
            barrier.abort()
        except Exception:  # noqa: BLE001
            pass
        q.put({"fatal": f"{type(e).__name__}: {e}"})


def run_once(a: argparse.Namespace, scenario: str, ranges, run_no: int) -> dict:
    """One timed run with a.connections connections spread over a.procs processes."""
    # how busy is the machine without us (another build, ...): 0.5 s sample before the run
    b0, t0_ = cpu_times()
    time.sleep(0.5)
    b1, t1_ = cpu_times()
    background = round(100.0 * (b1 - b0) / max(1, t1_ - t0_), 1)
    ctx = mp.get_context("fork")
    procs = max(1, min(a.procs, a.connections))
    shards = [list(range(i, a.connections, procs)) for i in range(procs)]
    barrier = ctx.Barrier(procs + 1)
    q = ctx.Queue()
    ps = [ctx.Process(target=_shard_main, args=(a, scenario, ranges, run_no, idx, barrier, q), daemon=True)
          for idx in shards]
    for p in ps:
        p.start()
    try:
        barrier.wait(a.timeout * 4 + 60)
    except threading.BrokenBarrierError:
        pass
    srv0 = proc_cpu_s(a.server_pids)  # every connection is open and authenticated by now
    busy0, tot0 = cpu_times()
    hard = a.warmup + a.duration + a.timeout + 60
    parts = []
    t_lim = time.monotonic() + hard + a.timeout * 4
    for _ in ps:
        try:
            parts.append(q.get(timeout=max(1.0, t_lim - time.monotonic())))
        except queue.Empty:
            parts.append({"fatal": "shard did not report in time"})
    busy1, tot1 = cpu_times()
    for p in ps:
        p.join(5)
        if p.is_alive():
            p.kill()
            p.join()
    srv1 = None
    if srv0 is not None:
        time.sleep(1.0)  # let the server reap per-connection children (nnrpd) after QUIT
        srv1 = proc_cpu_s(a.server_pids)
    fatal = [x["fatal"] for x in parts if "fatal" in x]
    parts = [x for x in parts if "fatal" not in x]
    if not parts:
        raise SystemExit(f"run failed: {fatal}")
    lat = sorted(v for x in parts for v in x["lat"])
    window = max(1e-9, max(x["t_end"] for x in parts) - min(x["t_measure"] for x in parts))
    errors = sum(x["errors"] for x in parts) + len(fatal)
    samples = fatal + [e for x in parts for e in x["error_samples"]]
    res = {
        "kind": "run", "label": a.label, "scenario": scenario, "run": run_no,
        "connections": a.connections, "connected": sum(x["connected"] for x in parts),
        "procs": procs, "auth": a.user is not None, "quickack": not a.no_quickack,
        "duration_s": a.duration, "warmup_s": a.warmup,
        "requests": len(lat), "errors": errors, "error_samples": samples[:5],
        "elapsed_s": round(window, 3), "rps": round(len(lat) / window, 1),
        "p50_ms": round(pct(lat, 50), 3), "p90_ms": round(pct(lat, 90), 3),
        "p99_ms": round(pct(lat, 99), 3), "max_ms": round(lat[-1], 3) if lat else None,
        "mean_ms": round(statistics.fmean(lat), 3) if lat else None,
        "setup_s": round(max(x["setup_s"] for x in parts), 3),
        "mb_in": round(sum(x["bytes_in"] for x in parts) / 1e6, 2),
        "client_cpu_s": round(sum(x["client_cpu_s"] for x in parts), 2),
        "machine_cpu_busy_pct": round(100.0 * (busy1 - busy0) / max(1, tot1 - tot0), 1),
        "background_cpu_busy_pct": background,
        "server_pids": a.server_pids,
        "server_cpu_s": round(srv1 - srv0, 2) if srv1 is not None else None,
        "completed_incl_warmup": sum(x["completed"] for x in parts),
        "server_cpu_ms_per_req": (round(1000.0 * (srv1 - srv0) / max(1, sum(x["completed"] for x in parts)), 4)
                                  if srv1 is not None else None),
        "loadavg_1m": os.getloadavg()[0],
    }
    if scenario == "mixed":
        res["ops"] = {}
        for op in ("group",) + MIXED_OPS:
            ol = sorted(v for x in parts for v in x["op_lat"][op])
            res["ops"][op] = {"n": len(ol), "rps": round(len(ol) / window, 1), "p50_ms": round(pct(ol, 50), 3),
                              "p99_ms": round(pct(ol, 99), 3), "max_ms": round(ol[-1], 3) if ol else None}
    if scenario in ("over", "mixed"):
        res["over_lines"] = sum(x["over_lines"] for x in parts)
        res["short_over"] = sum(x["short_over"] for x in parts)
    return res


async def discover(a: argparse.Namespace) -> dict[str, tuple[int, int, int]]:
    c = await Conn.open(a.host, a.port, timeout=a.timeout)
    try:
        await c.greet_and_auth(a.user, a.password, a.mode_reader)
        ranges = {}
        for i in range(a.groups):
            g = f"{a.prefix}{i}"
            ranges[g] = await c.group(g)
        return ranges
    finally:
        await c.quit()


def summarize(runs: list[dict]) -> dict:
    r0 = runs[0]
    med = lambda k: round(statistics.median(r[k] for r in runs if r[k] is not None), 3)  # noqa: E731
    return {
        "kind": "summary", "label": r0["label"], "scenario": r0["scenario"],
        "connections": r0["connections"], "procs": r0["procs"], "auth": r0["auth"],
        "quickack": r0["quickack"],
        "runs": len(runs),
        "duration_s": r0["duration_s"],
        "rps_median": round(statistics.median(r["rps"] for r in runs), 1),
        "rps_min": min(r["rps"] for r in runs), "rps_max": max(r["rps"] for r in runs),
        "p50_ms": med("p50_ms"), "p90_ms": med("p90_ms"), "p99_ms": med("p99_ms"),
        "requests": sum(r["requests"] for r in runs), "errors": sum(r["errors"] for r in runs),
        "client_cpu_s": med("client_cpu_s"), "machine_cpu_busy_pct": med("machine_cpu_busy_pct"),
        "background_cpu_busy_pct_max": max(r["background_cpu_busy_pct"] for r in runs),
        "server_cpu_ms_per_req": (round(statistics.median(r["server_cpu_ms_per_req"] for r in runs), 4)
                                  if all(r.get("server_cpu_ms_per_req") is not None for r in runs) else None),
    }


def md_header() -> str:
    return ("| server | scenario | conns | runs x s | req/s (median) | req/s min-max | p50 ms | p99 ms | errors "
            "| server CPU ms/req | machine CPU % during / before |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def md_row(s: dict) -> str:
    lab = s["label"] + (" (auth)" if s.get("auth") else "") + ("" if s.get("quickack", True) else " (delayed ACK)")
    return (f"| {lab} | {s['scenario']} | {s['connections']} | {s['runs']} x {s['duration_s']:g} | "
            f"{s['rps_median']:.0f} | {s['rps_min']:.0f}-{s['rps_max']:.0f} | {s['p50_ms']:.2f} | "
            f"{s['p99_ms']:.2f} | {s['errors']} | "
            + (f"{s['server_cpu_ms_per_req']:.3f}" if s.get("server_cpu_ms_per_req") is not None else "n/a")
            + f" | {s['machine_cpu_busy_pct']:.0f} / {s.get('background_cpu_busy_pct_max', 0):.0f} |")


def amain(a: argparse.Namespace) -> list[dict]:
    ranges = asyncio.run(asyncio.wait_for(discover(a), a.timeout * 2))
    for g, (n, lo, hi) in ranges.items():
        if n == 0 or hi < lo:
            raise SystemExit(f"group {g} is empty ({n} {lo} {hi}): load it first")
    print(f"bench: {a.label}: groups {', '.join(f'{g}[{lo}-{hi}]' for g, (_, lo, hi) in ranges.items())}",
          file=sys.stderr)
    out = []
    for sc in a.scenario.split(","):
        if sc not in SCENARIOS:
            raise SystemExit(f"unknown scenario {sc}")
        runs = []
        for r in range(a.repeats):
            if r or out:
                time.sleep(a.pause)
            if sc in ("over", "article"):
                ranges = asyncio.run(asyncio.wait_for(discover(a), a.timeout * 2))  # posts may have extended the groups
            res = run_once(a, sc, ranges, a.run_index + r)
            runs.append(res)
            print(f"bench: {a.label} {sc} run {r + 1}/{a.repeats}: {res['rps']:.0f} req/s, "
                  f"p50 {res['p50_ms']:.2f} ms, p99 {res['p99_ms']:.2f} ms, {res['errors']} errors, "
                  f"client CPU {res['client_cpu_s']:.1f}s, machine CPU {res['machine_cpu_busy_pct']:.0f}% "
                  f"(busy before {res['background_cpu_busy_pct']:.0f}%)"
                  + (f", server {res['server_cpu_ms_per_req']:.3f} CPU-ms/req" if res.get("server_cpu_ms_per_req") is not None else "")
                  + (f" {res['error_samples'][:2]}" if res["errors"] else ""), file=sys.stderr, flush=True)
            for op, v in res.get("ops", {}).items():
                print(f"bench: {a.label} {sc} run {r + 1}/{a.repeats}:   {op}: {v['rps']:.0f}/s, "
                      f"p50 {v['p50_ms']:.2f} ms, p99 {v['p99_ms']:.2f} ms", file=sys.stderr, flush=True)
            out.append(res)
        out.append(summarize(runs))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=119)
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--mode-reader", action="store_true", help="send MODE READER after the greeting")
    p.add_argument("--label", default="server", help="server name in the table")
    p.add_argument("--scenario", default="over,article,post", help="comma list of over,article,post,mixed")
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--procs", type=int, default=2,
                   help="client processes sharing the connections (Python uses one core each)")
    p.add_argument("--duration", type=float, default=10.0, help="measured seconds per run")
    p.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each run")
    p.add_argument("--requests", type=int, default=0, help="stop a run after this many requests (0: no cap)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--run-index", type=int, default=0,
                   help="number of the first run (seeds the request sequence; runs of two servers "
                        "with the same index make the same requests)")
    p.add_argument("--pause", type=float, default=1.0, help="seconds between runs")
    p.add_argument("--groups", type=int, default=10)
    p.add_argument("--prefix", default="bench.g")
    p.add_argument("--over-range", type=int, default=1000)
    p.add_argument("--timeout", type=float, default=30.0, help="per-response timeout (s)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--server-pid", action="append", type=int, default=None,
                   help="server process to meter (CPU incl. reaped children); repeatable. "
                        "Default: the processes listening on --port (ss -ltnp); 0 disables")
    p.add_argument("--no-quickack", action="store_true",
                   help="keep the kernel's delayed ACKs (default: TCP_QUICKACK after every read)")
    p.add_argument("--jsonl", help="append JSON results (runs and summaries) to this file")
    a = p.parse_args()
    a.host = check_loopback(a.host)
    if a.duration <= 0 or a.duration > 3600:
        raise SystemExit("--duration must be in (0, 3600]")
    if a.server_pid is None:
        a.server_pids = listener_pids(a.port)
    else:
        a.server_pids = [p for p in a.server_pid if p > 0]
    if a.server_pids:
        print(f"bench: metering server CPU of pids {a.server_pids}", file=sys.stderr)
    Conn.quickack = not a.no_quickack
    loop_kind = install_fast_loop()
    res = amain(a)
    for r in res:
        r["client_loop"] = loop_kind
    lines = [json.dumps(r, ensure_ascii=False) for r in res]
    print("\n".join(lines))
    if a.jsonl:
        with open(a.jsonl, "a") as f:
            f.write("\n".join(lines) + "\n")
    print("\n" + md_header())
    for r in res:
        if r["kind"] == "summary":
            print(md_row(r))
    sys.exit(1 if any(r["errors"] for r in res if r["kind"] == "summary") else 0)


if __name__ == "__main__":
    main()

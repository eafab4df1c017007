#!/usr/bin/env python3
"""Load an NNTP server with benchmark groups and articles.

    load.py --host 127.0.0.1 --port 11900 [--user U --password P]
            [--groups 10] [--prefix bench.g] [--articles 100000]
            [--method post|ihave|takethis] [--connections 8]
            [--create-groups-cmd 'CMD']

Groups are not created by NNTP (there is no command for it): pass
--create-groups-cmd, a shell command run once before loading with the environment
BENCH_GROUPS="bench.g0 bench.g1 ..." and BENCH_GROUP_COUNT set, and with "{groups}"
in CMD replaced by the space-separated names.  For INN, inn.sh create-groups does it.

Methods:
  post      RFC 3977 POST on reader connections (AUTHINFO USER/PASS first when given).
            Works with any reader server; this is what a Starcon run uses.
  ihave     RFC 3977 IHAVE, one article per round trip, from --source (default
            127.0.0.2, which inn.sh declares as a peer of INN's innd).
  takethis  RFC 4644 MODE STREAM + pipelined TAKETHIS from --source: fastest INN path.

Articles: 1-3 KB, UTF-8 bodies mixing English, Korean and Russian, ~30% replies with
References, a few body lines starting with '.', deterministic for a given --seed.
Prints a JSON summary (articles/s, elapsed) on stdout; exits 1 on any error.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nntpcommon import (ArticleFactory, Conn, NNTPError, check_loopback, wire_block,  # noqa: E402
                        install_fast_loop, watchdog)


class Loader:
    def __init__(self, a: argparse.Namespace):
        self.a = a
        self.groups = [f"{a.prefix}{i}" for i in range(a.groups)]
        self.factory = ArticleFactory(self.groups, seed=a.seed, tag=a.tag)
        self.next_i = a.start
        self.end = a.start + a.articles
        self.ok = 0
        self.errors = 0
        self.bytes = 0
        self.error_samples: list[str] = []
        self.t0 = 0.0

    def take(self) -> int | None:
        if self.next_i >= self.end:
            return None
        i = self.next_i
        self.next_i += 1
        return i

    def err(self, msg: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(msg)
        if self.errors > self.a.max_errors:
            raise SystemExit(f"too many errors ({self.errors}); first: {self.error_samples[:3]}")

    async def connect(self, transit: bool) -> Conn:
        a = self.a
        c = await Conn.open(a.host, a.port, timeout=a.timeout, source=a.source if transit else None)
        if transit:
            g = await c.readline()
            if not g.startswith("200"):
                raise NNTPError(f"peer greeting {g!r} (is {a.source} a peer of the server?)")
        else:
            await c.greet_and_auth(a.user, a.password, a.mode_reader)
        return c

    async def worker_post(self) -> None:
        c = await self.connect(False)
        try:
            while (i := self.take()) is not None:
                mid, art = self.factory.make(i)
                try:
                    await c.post(art)
                    self.ok += 1
                    self.bytes += len(art)
                except NNTPError as e:
                    self.err(f"{mid}: {e}")
                    if "closed" in str(e):
                        c = await self.connect(False)
        finally:
            await c.quit()

    async def worker_ihave(self) -> None:
        c = await self.connect(True)
        try:
            while (i := self.take()) is not None:
                mid, art = self.factory.make(i, transit=True)
                resp = await c.cmd(f"IHAVE {mid}")
                if resp[:3] != "335":
                    self.err(f"IHAVE {mid}: {resp}")
                    continue
                c.send(wire_block(art))
                resp = await c.readline()
                if resp[:3] == "235":
                    self.ok += 1
                    self.bytes += len(art)
                else:
                    self.err(f"IHAVE {mid} transfer: {resp}")
        finally:
            await c.quit()

    async def worker_takethis(self) -> None:
        c = await self.connect(True)
        resp = await c.cmd("MODE STREAM")
        if resp[:3] != "203":
            raise NNTPError(f"MODE STREAM: {resp}")
        window = asyncio.Semaphore(self.a.window)
        pending: asyncio.Queue = asyncio.Queue()
        done_sending = asyncio.Event()

        async def reader() -> None:
            while True:
                item = await pending.get()
                if item is None:
                    return
                mid, size = item
                resp = await c.readline()
                window.release()
                if resp[:3] == "239" and mid in resp:
                    self.ok += 1
                    self.bytes += size
                else:
                    self.err(f"TAKETHIS {mid}: {resp}")

        rt = asyncio.create_task(reader())
        try:
            while (i := self.take()) is not None:
                await window.acquire()
                mid, art = self.factory.make(i, transit=True)
                c.send(f"TAKETHIS {mid}\r\n".encode() + wire_block(art))
                pending.put_nowait((mid, len(art)))
                if pending.qsize() % 16 == 0:
                    await c.w.drain()
            await c.w.drain()
            pending.put_nowait(None)
            done_sending.set()
            await rt
        finally:
            if not rt.done():
                rt.cancel()
            await c.quit()

    async def progress(self) -> None:
        last = 0
        while True:
            await asyncio.sleep(5)
            el = time.perf_counter() - self.t0
            print(f"load: {self.ok}/{self.a.articles} ok, {self.errors} errors, "
                  f"{self.ok / el:.0f} art/s overall, {(self.ok - last) / 5:.0f} art/s now",
                  file=sys.stderr, flush=True)
            last = self.ok

    async def verify(self) -> dict:
        c = await self.connect(False)
        counts = {}
        try:
            for g in self.groups:
                n, lo, hi = await c.group(g)
                counts[g] = {"count": n, "low": lo, "high": hi}
        finally:
            await c.quit()
        return counts

    async def run(self) -> dict:
        a = self.a
        worker = {"post": self.worker_post, "ihave": self.worker_ihave,
                  "takethis": self.worker_takethis}[a.method]
        self.t0 = time.perf_counter()
        prog = asyncio.create_task(self.progress())
        wd = asyncio.create_task(watchdog())
        try:
            await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(a.connections))),
                                   a.max_seconds)
        finally:
            prog.cancel()
        elapsed = time.perf_counter() - self.t0
        counts = await self.verify()
        wd.cancel()
        return {
            "method": a.method, "host": a.host, "port": a.port, "connections": a.connections,
            "groups": len(self.groups), "articles_requested": a.articles, "articles_ok": self.ok,
            "errors": self.errors, "error_samples": self.error_samples,
            "bytes": self.bytes, "avg_article_bytes": round(self.bytes / max(1, self.ok)),
            "elapsed_s": round(elapsed, 2), "articles_per_s": round(self.ok / elapsed, 1),
            "group_counts": counts, "total_in_groups": sum(v["count"] for v in counts.values()),
        }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=119)
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--mode-reader", action="store_true", help="send MODE READER after the greeting")
    p.add_argument("--groups", type=int, default=10)
    p.add_argument("--prefix", default="bench.g")
    p.add_argument("--articles", type=int, default=100000)
    p.add_argument("--start", type=int, default=0, help="first article index (Message-ID uniqueness)")
    p.add_argument("--tag", default="load", help="Message-ID tag: <TAG.INDEX@bench.starcon.example>")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--method", choices=["post", "ihave", "takethis"], default="post")
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--window", type=int, default=32, help="TAKETHIS articles in flight per connection")
    p.add_argument("--source", default="127.0.0.2", help="source address for ihave/takethis")
    p.add_argument("--timeout", type=float, default=60.0, help="per-response timeout (s)")
    p.add_argument("--max-seconds", type=float, default=3600.0, help="hard limit for the whole load")
    p.add_argument("--max-errors", type=int, default=100)
    p.add_argument("--create-groups-cmd", help="shell command creating the groups (see above)")
    p.add_argument("--json", help="also write the JSON summary to this file")
    p.add_argument("--jsonl", help="append a one-line summary (kind=load) to this file (for report.py)")
    p.add_argument("--label", default="server", help="server name for --jsonl")
    a = p.parse_args()
    a.host = check_loopback(a.host)
    if a.source:
        check_loopback(a.source)

    groups = [f"{a.prefix}{i}" for i in range(a.groups)]
    groups_s = 0.0
    if a.create_groups_cmd:
        env = dict(os.environ, BENCH_GROUPS=" ".join(groups), BENCH_GROUP_COUNT=str(a.groups))
        t = time.perf_counter()
        subprocess.run(a.create_groups_cmd.replace("{groups}", " ".join(groups)), shell=True,
                       check=True, env=env)
        groups_s = time.perf_counter() - t
        print(f"load: groups created in {groups_s:.2f}s", file=sys.stderr)

    loop_kind = install_fast_loop()
    res = asyncio.run(Loader(a).run())
    res["client_loop"] = loop_kind
    res["groups_create_s"] = round(groups_s, 2)
    if a.jsonl:
        rec = {k: v for k, v in res.items() if k != "group_counts"}
        rec.update(kind="load", label=a.label)
        with open(a.jsonl, "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    out = json.dumps(res, ensure_ascii=False, indent=2)
    print(out)
    if a.json:
        with open(a.json, "w") as f:
            f.write(out + "\n")
    print(f"load: {res['articles_ok']} articles in {res['elapsed_s']}s "
          f"({res['articles_per_s']}/s, avg {res['avg_article_bytes']} B, {res['errors']} errors, "
          f"{res['total_in_groups']} in groups)", file=sys.stderr)
    sys.exit(1 if res["errors"] or res["articles_ok"] != a.articles else 0)


if __name__ == "__main__":
    main()

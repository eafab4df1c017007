#!/usr/bin/env python3
"""Self-test of the benchmark client against a tiny in-process fake NNTP server
(no INN needed): multi-line parsing with the terminator split across reads,
dot-stuffing both ways, AUTHINFO, status-code checks and error counting.

    python3 selftest.py      -> prints "N passed, N failed", exit 1 on failure
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nntpcommon import ArticleFactory, Conn, NNTPError, dot_stuff, dot_unstuff  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")


class FakeServer:
    """GROUP/OVER/ARTICLE/POST/AUTHINFO; writes responses in tiny chunks."""

    def __init__(self, groups: int = 2, per_group: int = 1200, fail_every: int = 0, user: str | None = None):
        self.groups = {f"bench.g{i}": per_group for i in range(groups)}
        self.fail_every = fail_every
        self.user = user
        self.posted: list[bytes] = []
        self.n_article = 0

    async def handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        async def send(data: bytes) -> None:
            for i in range(0, len(data), 7):  # tiny writes: splits every terminator
                w.write(data[i:i + 7])
                await w.drain()

        await send(b"200 fake ready\r\n")
        authed = self.user is None
        cur = None
        while True:
            line = await r.readline()
            if not line:
                break
            parts = line.decode().strip().split()
            cmd = parts[0].upper() if parts else ""
            if cmd == "QUIT":
                await send(b"205 bye\r\n")
                break
            if cmd == "AUTHINFO" and parts[1].upper() == "USER":
                await send(b"381 pass\r\n")
            elif cmd == "AUTHINFO" and parts[1].upper() == "PASS":
                authed = parts[2] == "pw"
                await send(b"281 ok\r\n" if authed else b"481 no\r\n")
            elif not authed:
                await send(b"480 auth required\r\n")
            elif cmd == "GROUP":
                cur = parts[1]
                n = self.groups.get(cur, 0)
                await send(f"211 {n} 1 {n} {cur}\r\n".encode())
            elif cmd == "OVER":
                a, b = (int(x) for x in parts[1].split("-"))
                b = min(b, self.groups[cur])
                out = b"".join(f"{k}\tsubj\tfrom\tdate\t<{k}@x>\t\t100\t3\r\n".encode() for k in range(a, b + 1))
                await send(b"224 ov\r\n" + out + b".\r\n")
            elif cmd == "ARTICLE":
                self.n_article += 1
                k = int(parts[1])
                if self.fail_every and self.n_article % self.fail_every == 0:
                    await send(b"430 no such article\r\n")
                    continue
                body = f"Message-ID: <{k}@x>\r\nSubject: s\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n".encode()
                await send(f"220 {k} <{k}@x>\r\n".encode() + dot_stuff(body) + b".\r\n")
            elif cmd == "POST":
                await send(b"340 send\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n") and data != b".\r\n":
                    data += await r.readline()
                self.posted.append(dot_unstuff(data[:-3]))
                await send(b"240 ok\r\n")
            else:
                await send(b"500 what\r\n")
        w.close()


async def unit_tests() -> None:
    body = b".a\r\nb\r\n.\r\n..c\r\n"
    check("dot-stuff roundtrip", dot_unstuff(dot_stuff(body)) == body)
    srv = FakeServer(user="u")
    server = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    c = await Conn.open("127.0.0.1", port, timeout=5)
    await c.greet_and_auth("u", "pw")
    n, lo, hi = await c.group("bench.g0")
    check("GROUP parse", (n, lo, hi) == (1200, 1, 1200))
    await c.expect("OVER 1-1000", ("224",))
    block = await c.read_multiline()
    check("OVER 1000 lines across tiny chunks", block.count(b"\r\n") == 1000, str(block.count(b"\r\n")))
    resp = await c.expect("ARTICLE 5", ("220",))
    art = dot_unstuff(await c.read_multiline())
    check("ARTICLE dot-unstuffed", art.endswith(b".leading dot\r\n..two\r\n.\r\nend\r\n"), repr(art[-40:]))
    f = ArticleFactory(["bench.g0"], seed=3)
    _, a = f.make(1)
    a = b".starts with dot\r\n" + a
    await c.post(a)
    check("POST dot-stuffed and received intact", srv.posted[-1] == a)
    try:
        await c.expect("FOO", ("200",))
        check("unexpected status raises", False)
    except NNTPError:
        check("unexpected status raises", True)
    await c.quit()
    c = await Conn.open("127.0.0.1", port, timeout=5)
    try:
        await c.greet_and_auth("u", "bad")
        check("bad password raises", False)
    except NNTPError:
        check("bad password raises", True)
    await c.quit()
    server.close()
    check("article generator sizes", all(900 <= len(f.make(i)[1]) <= 3400 for i in range(200)))
    check("article generator UTF-8 mix", any("привет".encode() in f.make(i)[1] or "서버".encode() in f.make(i)[1]
                                             for i in range(50)))


def bench_against_fake(fail_every: int) -> dict:
    """Run bench.py (subprocess) against a fake server living in a child process."""
    code = f"""
import asyncio, sys
sys.path.insert(0, {HERE!r})
from selftest import FakeServer
async def main():
    srv = FakeServer(groups=2, fail_every={fail_every}, user="u")
    s = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    print(s.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(60)
asyncio.run(main())
"""
    fake = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        port = int(fake.stdout.readline())
        out = subprocess.run([sys.executable, os.path.join(HERE, "bench.py"), "--port", str(port),
                              "--user", "u", "--password", "pw", "--groups", "2", "--connections", "4",
                              "--procs", "2", "--duration", "1", "--warmup", "0.2", "--repeats", "1",
                              "--pause", "0", "--label", "fake", "--scenario", "over,article,post,mixed"],
                             capture_output=True, text=True, timeout=60)
        rows = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
        return {"rc": out.returncode, "runs": [r for r in rows if r["kind"] == "run"], "err": out.stderr[-500:]}
    finally:
        fake.kill()
        fake.wait()


def main() -> None:
    asyncio.run(unit_tests())
    res = bench_against_fake(0)
    runs = {r["scenario"]: r for r in res["runs"]}
    check("bench clean run exit 0", res["rc"] == 0, res["err"] if res["rc"] else "")
    for sc in ("over", "article", "post"):
        r = runs.get(sc, {})
        check(f"bench {sc}: requests > 0 and no errors", r.get("requests", 0) > 0 and r.get("errors") == 0,
              f"{r.get('requests')} req, {r.get('errors')} err")
    m = runs.get("mixed", {})
    ops = m.get("ops", {})
    check("bench mixed: every operation timed, GROUP before OVER and ARTICLE",
          m.get("errors") == 0 and all(ops.get(op, {}).get("n", 0) > 0 for op in ("group", "over", "article", "post"))
          and ops["group"]["n"] >= ops["over"]["n"] + ops["article"]["n"] - 4, str(ops))
    res = bench_against_fake(5)
    runs = {r["scenario"]: r for r in res["runs"]}
    a = runs.get("article", {})
    check("bench counts 430 answers as errors", a.get("errors", 0) > 0 and res["rc"] == 1,
          f"{a.get('errors')} errors, rc {res['rc']}")
    passed = sum(ok for _, ok, _ in results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Shared pieces of the NNTP benchmark: a small asyncio NNTP client on raw sockets
(no nntplib) and a deterministic generator of realistic articles.

Only loopback targets are allowed (127.0.0.0/8, ::1, localhost).
"""
from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
import time
from email.utils import format_datetime
from datetime import datetime, timezone

CRLF = b"\r\n"
TERMINATOR = b"\r\n.\r\n"


class NNTPError(Exception):
    """Unexpected status code, malformed or truncated response."""


def check_loopback(host: str) -> str:
    """Refuse any target that is not on this machine's loopback."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise SystemExit(f"refusing non-loopback target {host!r} (use 127.0.0.1)")
    if not ip.is_loopback:
        raise SystemExit(f"refusing non-loopback target {host!r}")
    return host


def dot_stuff(body: bytes) -> bytes:
    """RFC 3977 3.1.1: a line starting with '.' gets an extra '.' on the wire."""
    if body.startswith(b"."):
        body = b"." + body
    return body.replace(b"\r\n.", b"\r\n..")


def wire_block(body: bytes) -> bytes:
    """Dot-stuffed data block plus the terminating '.' line (body may or may not end in CRLF)."""
    return dot_stuff(body) + (b".\r\n" if body.endswith(b"\r\n") else b"\r\n.\r\n")


def dot_unstuff(block: bytes) -> bytes:
    if block.startswith(b".."):
        block = block[1:]
    return block.replace(b"\r\n..", b"\r\n.")


class Conn:
    """One NNTP connection with its own read buffer.

    readline() returns a status line without CRLF; read_multiline() returns the
    data block of a multi-line response (still dot-stuffed, CRLF line ends, without the
    terminating '.' line)."""

    # TCP_QUICKACK (Linux): ACK every segment at once instead of delaying the ACK.
    # A server that writes a status line and then the data block in two writes without
    # TCP_NODELAY (INN's nnrpd does) otherwise waits for the client's delayed ACK (~40 ms)
    # before the second write leaves (Nagle); see docs/BENCHMARKS.md.
    quickack = True
    live: "set[Conn]" = set()

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float):
        self.r = reader
        self.w = writer
        self.buf = bytearray()
        self.timeout = timeout
        self.bytes_in = 0
        self.sock = writer.get_extra_info("socket")
        self.waiting_since = 0.0
        self.aborted = False
        Conn.live.add(self)
        self.qa = self.quickack and self.sock is not None and hasattr(socket, "TCP_QUICKACK")

    @classmethod
    async def open(cls, host: str, port: int, timeout: float = 30.0, source: str | None = None,
                   limit: int = 1 << 20) -> "Conn":
        kw = {}
        if source:
            kw["local_addr"] = (source, 0)
        r, w = await asyncio.wait_for(asyncio.open_connection(host, port, limit=limit, **kw), timeout)
        sock = w.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(r, w, timeout)

    async def _fill(self) -> None:
        # No asyncio.wait_for per read (it costs a task per call); a watchdog
        # (see watchdog()) aborts connections that wait longer than their timeout.
        self.waiting_since = time.monotonic()
        try:
            data = await self.r.read(262144)
        finally:
            self.waiting_since = 0.0
        if self.aborted:
            raise NNTPError(f"timeout: no answer within {self.timeout:g}s")
        if not data:
            raise NNTPError("connection closed by server")
        self.bytes_in += len(data)
        self.buf += data
        if self.qa:
            try:
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            except OSError:
                self.qa = False

    async def readline(self) -> str:
        while True:
            i = self.buf.find(CRLF)
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[: i + 2]
                return line.decode("utf-8", "replace")
            if len(self.buf) > 65536:
                raise NNTPError("status line too long")
            await self._fill()

    async def read_multiline(self) -> bytes:
        start = 0
        while True:
            if self.buf.startswith(b".\r\n"):
                del self.buf[:3]
                return b""
            i = self.buf.find(TERMINATOR, start)
            if i >= 0:
                block = bytes(self.buf[: i + 2])
                del self.buf[: i + 5]
                return block
            start = max(0, len(self.buf) - 4)
            await self._fill()

    def send(self, data: bytes) -> None:
        self.w.write(data)

    async def cmd(self, line: str) -> str:
        self.w.write(line.encode("utf-8") + CRLF)
        return await self.readline()

    async def expect(self, line: str, codes: tuple[str, ...]) -> str:
        resp = await self.cmd(line)
        if resp[:3] not in codes:
            raise NNTPError(f"{line.split()[0]}: expected {'/'.join(codes)}, got {resp!r}")
        return resp

    async def greet_and_auth(self, user: str | None, password: str | None, mode_reader: bool = False) -> str:
        greeting = await self.readline()
        if greeting[:3] not in ("200", "201"):
            raise NNTPError(f"greeting: {greeting!r}")
        if mode_reader:
            greeting = await self.expect("MODE READER", ("200", "201"))
        if user is not None:
            async with _auth_slots():
                await self._authinfo(user, password)
        return greeting

    async def _authinfo(self, user: str, password: str | None) -> None:
        # Starcon counts a sign-in attempt before checking its password, and allows 5 at a time for one
        # account from one address (LoginThrottle): more parallel sign-ins of the one bench user get 481
        # and count nothing, so they wait and try again (before the clock starts).
        for attempt in range(40):
            resp = await self.cmd(f"AUTHINFO USER {user}")
            if resp[:3] == "281":
                return
            if resp[:3] != "381":
                raise NNTPError(f"AUTHINFO USER: {resp!r}")
            resp = await self.cmd(f"AUTHINFO PASS {password or ''}")
            if resp[:3] == "281":
                return
            if not (resp[:3] == "481" and "Too many" in resp) or attempt == 39:
                raise NNTPError(f"AUTHINFO: expected 281, got {resp!r}")
            await asyncio.sleep(0.1 + 0.2 * random.random())

    async def group(self, name: str) -> tuple[int, int, int]:
        resp = await self.expect(f"GROUP {name}", ("211",))
        parts = resp.split()
        if len(parts) < 5 or parts[4] != name:
            raise NNTPError(f"GROUP: malformed {resp!r}")
        return int(parts[1]), int(parts[2]), int(parts[3])

    async def post(self, article: bytes) -> str:
        """POST (RFC 3977 6.3.1); article uses CRLF line ends, not yet dot-stuffed."""
        await self.expect("POST", ("340",))
        self.w.write(wire_block(article))
        resp = await self.readline()
        if resp[:3] != "240":
            raise NNTPError(f"POST: expected 240, got {resp!r}")
        return resp

    def close(self) -> None:
        Conn.live.discard(self)
        self.w.close()

    def abort(self) -> None:
        self.aborted = True
        self.w.transport.abort()

    async def quit(self) -> None:
        Conn.live.discard(self)
        try:
            self.w.write(b"QUIT\r\n")
            await asyncio.wait_for(self.readline(), 2)
        except Exception:
            pass
        try:
            self.w.close()
            await asyncio.wait_for(self.w.wait_closed(), 2)
        except Exception:
            pass


async def watchdog(period: float = 0.5) -> None:
    """Abort every connection whose pending read is older than its timeout."""
    while True:
        await asyncio.sleep(period)
        t = time.monotonic()
        for c in list(Conn.live):
            if c.waiting_since and t - c.waiting_since > c.timeout:
                c.abort()


# --------------------------------------------------------------------------------------
# Article generator
# --------------------------------------------------------------------------------------

EN_WORDS = (
    "the server client article group overview thread message header body reply protocol "
    "news reader posting storage index latency throughput connection socket stream buffer "
    "release build test swift linux network packet queue spool history expire feed peer "
    "question answer patch review bug report issue fix performance memory disk cache "
    "weekend coffee weather music book train city river mountain garden kitchen window"
).split()
KO_WORDS = (
    "안녕하세요 서버 클라이언트 뉴스 그룹 게시물 답장 질문 답변 성능 메모리 디스크 "
    "오늘 내일 날씨 커피 음악 책 기차 도시 강 산 정원 부엌 창문 프로그램 테스트 빌드 "
    "감사합니다 좋은 하루 되세요 문제 해결 방법 설정 파일 연결 속도"
).split()
RU_WORDS = (
    "привет сервер клиент новости группа статья ответ вопрос производительность память "
    "диск сегодня завтра погода кофе музыка книга поезд город река гора сад кухня окно "
    "программа тест сборка спасибо хорошего дня проблема решение настройка файл соединение"
).split()
NAMES = [
    ("Alice Martin", "alice@example.com"), ("Bob Lee", "bob@example.org"),
    ("김민준", "minjun@example.kr"), ("이서연", "seoyeon@example.kr"),
    ("Иван Петров", "ivan@example.ru"), ("Мария Смирнова", "maria@example.ru"),
    ("Carol Dupont", "carol@example.net"), ("Dmitri K.", "dk@example.net"),
]
SUBJECT_TOPICS = [
    "Question about {w}", "{w} is slow again", "Release notes: {w} {n}", "[ANN] {w} {n}.{m}",
    "서버 {w} 질문", "{w} 문제 해결", "Вопрос про {w}", "{w}: обсуждение", "Help with {w} and {w2}",
]


def _sentence(rng: random.Random) -> str:
    lang = rng.random()
    if lang < 0.6:
        words, n = EN_WORDS, rng.randint(6, 16)
    elif lang < 0.8:
        words, n = KO_WORDS, rng.randint(4, 10)
    else:
        words, n = RU_WORDS, rng.randint(5, 12)
    s = " ".join(rng.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + rng.choice([".", ".", "!", "?"])


def make_body(rng: random.Random, target: int, quote: str | None = None) -> bytes:
    """UTF-8 body of about `target` bytes, lines <= ~76 columns, CRLF ends.
    Some lines start with '.' to exercise dot-stuffing."""
    lines: list[str] = []
    if quote:
        lines.append(f"{quote} wrote:")
        for _ in range(rng.randint(1, 3)):
            lines.append("> " + _sentence(rng)[:70])
        lines.append("")
    size = sum(len(x.encode()) + 2 for x in lines)
    cur = ""
    while size < target:
        s = _sentence(rng)
        if rng.random() < 0.01:
            if cur:
                lines.append(cur)
                size += len(cur.encode()) + 2
                cur = ""
            lines.append("." + s[:60])  # exercises dot-stuffing
            size += len(lines[-1].encode()) + 2
            continue
        for w in s.split(" "):
            if cur and len(cur) + 1 + len(w) > 72:
                lines.append(cur)
                size += len(cur.encode()) + 2
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        if rng.random() < 0.08 and cur:
            lines.append(cur)
            lines.append("")
            size += len(cur.encode()) + 4
            cur = ""
    if cur:
        lines.append(cur)
    lines.append("-- ")
    lines.append("sent from the Starcon NNTP benchmark")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def message_id(tag: str, i: int) -> str:
    return f"<{tag}.{i}@bench.starcon.example>"


class ArticleFactory:
    """Deterministic articles: article i depends only on (seed, i), whatever the order in
    which articles are made or which process makes them, so every server gets the same
    data set.  Article i goes to group i mod G; ~30% are replies to one of the previous
    50 articles of the same group, with Subject "Re: ..." and a References chain."""

    def __init__(self, groups: list[str], seed: int = 1, tag: str = "load",
                 min_size: int = 1000, max_size: int = 3000, reply_ratio: float = 0.3):
        self.groups = groups
        self.seed = seed
        self.tag = tag
        self.min_size, self.max_size = min_size, max_size
        self.reply_ratio = reply_ratio
        self._meta: dict[int, tuple[str, str]] = {}  # i -> (subject, references)

    def _rng(self, i: int) -> random.Random:
        return random.Random(self.seed * 1_000_000_007 + i)

    def _head_draws(self, i: int, rng: random.Random) -> tuple[int | None, str | None]:
        """First draws of article i's rng: (parent index, None) or (None, subject)."""
        G = len(self.groups)
        if i >= G and rng.random() < self.reply_ratio:
            return i - G * rng.randint(1, min(50, i // G)), None
        t = rng.choice(SUBJECT_TOPICS)
        return None, t.format(w=rng.choice(EN_WORDS + KO_WORDS + RU_WORDS), w2=rng.choice(EN_WORDS),
                              n=rng.randint(1, 9), m=rng.randint(0, 20))

    def meta(self, i: int) -> tuple[str, str]:
        """(subject, references) of article i, following its parents iteratively."""
        chain = []
        j = i
        while j not in self._meta:
            parent, subject = self._head_draws(j, self._rng(j))
            if parent is None:
                self._meta[j] = (subject, "")
                break
            chain.append((j, parent))
            j = parent
        for j, parent in reversed(chain):
            psubj, prefs = self._meta[parent]
            ids = (prefs.split() + [message_id(self.tag, parent)])
            if len(ids) > 8:
                ids = ids[:1] + ids[-7:]
            self._meta[j] = (psubj if psubj.startswith("Re: ") else "Re: " + psubj, " ".join(ids))
        if len(self._meta) > 200_000:
            self._meta.clear()
        return self._meta[i] if i in self._meta else self.meta(i)

    def make(self, i: int, transit: bool = False) -> tuple[str, bytes]:
        """Article i.  transit=True adds Path and Date (what IHAVE/TAKETHIS need)."""
        rng = self._rng(i)
        parent, _ = self._head_draws(i, rng)
        subject, refs = self.meta(i)
        g = self.groups[i % len(self.groups)]
        name, addr = rng.choice(NAMES)
        quote = rng.choice(NAMES)[0] if parent is not None else None
        mid = message_id(self.tag, i)
        hdr = [
            f"From: {name} <{addr}>",
            f"Newsgroups: {g}",
            f"Subject: {subject}",
            f"Message-ID: {mid}",
        ]
        if transit:
            hdr.insert(0, "Path: bench-loader!not-for-mail")
            hdr.append("Date: " + format_datetime(datetime.now(timezone.utc)))
        if refs:
            hdr.append(f"References: {refs}")
        hdr += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
                "Content-Transfer-Encoding: 8bit", "User-Agent: starcon-nntp-bench/1"]
        head = ("\r\n".join(hdr) + "\r\n\r\n").encode("utf-8")
        # body size does not depend on the headers, so POST and TAKETHIS copies have equal bodies
        body = make_body(rng, max(200, rng.randint(self.min_size, self.max_size) - 380), quote)
        return mid, head + body


_AUTH_SLOTS: dict[int, asyncio.Semaphore] = {}


def _auth_slots() -> asyncio.Semaphore:
    """Two sign-ins at a time per process and event loop (see Conn._authinfo)."""
    key = id(asyncio.get_running_loop())
    if key not in _AUTH_SLOTS:
        _AUTH_SLOTS[key] = asyncio.Semaphore(2)
    return _AUTH_SLOTS[key]


def pct(sorted_vals: list[float], p: float) -> float:
    if not sorted_vals:
        return float("nan")
    k = (len(sorted_vals) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def now() -> float:
    return time.perf_counter()


def install_fast_loop() -> str:
    """Use uvloop when installed (cheaper client); plain asyncio otherwise."""
    try:
        import uvloop  # type: ignore
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        return "uvloop"
    except Exception:
        return "asyncio"

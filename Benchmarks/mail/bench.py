#!/usr/bin/env python3
"""Mail benchmark client: loads the corpus over IMAP APPEND and measures one scenario against one server.

  bench.py load    --port P --user U --password W --count N --label L --jsonl FILE
  bench.py measure --port P --user U --password W --scenario S --run R --label L --jsonl FILE [--count N]
  bench.py smtp    --port P --password W --domain D --clients C --messages M --run R ...  (as sender1..senderC)

Scenarios (one IMAP connection, logged in before the clock starts):
  select_fetch   SELECT INBOX + FETCH 1:* (ENVELOPE FLAGS)
  body_fetch     UID FETCH of 1,000 BODY.PEEK[] (every 10th UID, in one command)
  search_subject SEARCH SUBJECT <word in every 50th subject>
  search_text    SEARCH TEXT <word inside a sentence of every 100th body>
  search_cjk     SEARCH CHARSET UTF-8 TEXT <Japanese word inside a sentence of every 100th body>
Each prints one JSON line {label, scenario, run, seconds, ok, detail}; a SEARCH whose count differs from the corpus
is reported (ok false), so a fast wrong answer cannot win.
"""
import argparse
import json
import socket
import sys
import threading
import time
import smtplib

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import corpus  # noqa: E402


class IMAP:
    """A minimal IMAP client: literals in both directions, nothing parsed beyond what the benchmark checks."""

    def __init__(self, port, user, password):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb", buffering=1 << 20)
        self.n = 0
        self.file.readline()
        self.command(b"LOGIN " + self.quote(user) + b" " + self.quote(password))

    @staticmethod
    def quote(text):
        return b'"' + text.encode().replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'

    def command(self, line, literal=None):
        self.n += 1
        tag = b"a%d" % self.n
        if literal is None:
            self.sock.sendall(tag + b" " + line + b"\r\n")
        else:
            # LITERAL+ (RFC 7888, both servers have it): no round trip for the continuation.
            self.sock.sendall(tag + b" " + line + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        untagged, received = [], 0
        while True:
            line_ = self.file.readline()
            if not line_:
                raise RuntimeError("connection closed")
            received += len(line_)
            while line_.endswith(b"}\r\n") and b"{" in line_:
                size = int(line_[line_.rindex(b"{") + 1:-3])
                data = self.file.read(size)
                received += size
                rest = self.file.readline()
                received += len(rest)
                line_ = line_ + data + rest
            if line_.startswith(tag + b" "):
                if not line_[len(tag) + 1:].startswith(b"OK"):
                    raise RuntimeError(f"{line[:60]!r}: {line_[:200]!r}")
                return untagged, received
            untagged.append(line_)

    def pipeline(self, commands):
        """Sends every (line, literal) at once (LITERAL+), then reads each tagged reply."""
        tags, out = [], []
        for line, literal in commands:
            self.n += 1
            tags.append(b"a%d " % self.n)
            out.append(tags[-1] + line + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        self.sock.sendall(b"".join(out))
        for tag in tags:
            while True:
                reply = self.file.readline()
                if not reply:
                    raise RuntimeError("connection closed")
                if reply.startswith(tag):
                    if not reply[len(tag):].startswith(b"OK"):
                        raise RuntimeError(reply[:200])
                    break

    def search(self, line, literal=None):
        untagged, _ = self.command(line, literal)
        found = []
        for u in untagged:
            if u.startswith(b"* SEARCH"):
                found += u[8:].split()
        return found


def record(args, scenario, seconds, ok=True, detail=""):
    row = {"label": args.label, "scenario": scenario, "run": args.run, "seconds": seconds, "ok": ok, "detail": detail}
    with open(args.jsonl, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(f"bench: {args.label} {scenario} run {args.run}: {seconds:.3f} s {detail}{'' if ok else ' WRONG'}", file=sys.stderr)


def load(args):
    imap = IMAP(args.port, args.user, args.password)
    start = time.perf_counter()
    for first in range(0, args.count, 20):
        imap.pipeline([(b"APPEND INBOX (\\Seen)" if i % 3 else b"APPEND INBOX", corpus.message(i))
                       for i in range(first, min(args.count, first + 20))])
    args.run = 0
    record(args, "append", time.perf_counter() - start, detail=f"{args.count} messages")


def measure(args):
    imap = IMAP(args.port, args.user, args.password)
    expect = corpus.expected(args.count)
    s = args.scenario
    if s == "select_fetch":
        start = time.perf_counter()
        imap.command(b"SELECT INBOX")
        untagged, size = imap.command(b"FETCH 1:* (ENVELOPE FLAGS)")
        seconds = time.perf_counter() - start
        fetched = sum(1 for u in untagged if b" FETCH " in u[:20])
        record(args, s, seconds, fetched == args.count, f"{fetched} envelopes, {size} bytes")
        return
    imap.command(b"EXAMINE INBOX")
    if s == "body_fetch":
        uids = imap.search(b"UID SEARCH ALL")[::10][:1000]
        start = time.perf_counter()
        untagged, size = imap.command(b"UID FETCH " + b",".join(uids) + b" (BODY.PEEK[])")
        seconds = time.perf_counter() - start
        fetched = sum(1 for u in untagged if b" FETCH " in u[:20])
        record(args, s, seconds, fetched == len(uids), f"{fetched} bodies, {size} bytes")
        return
    queries = {
        "search_subject": (b"SEARCH SUBJECT " + corpus.SUBJECT_WORD.encode(), None, expect["subject"]),
        "search_text": (b"SEARCH TEXT " + corpus.TEXT_WORD.encode(), None, expect["text"]),
        "search_cjk": (b"SEARCH CHARSET UTF-8 TEXT", corpus.CJK_TEXT_WORD.encode(), expect["cjk"]),
    }
    line, literal, want = queries[s]
    start = time.perf_counter()
    found = imap.search(line, literal)
    seconds = time.perf_counter() - start
    record(args, s, seconds, len(found) == want, f"{len(found)} found (expected {want})")


def smtp(args):
    errors = []

    def client(n):
        address = f"sender{n + 1}@{args.domain}"
        body = corpus.message(3 + n, recipient=address).replace(b"From: ", b"X-Original-From: ", 1)
        message = b"From: " + address.encode() + b"\r\n" + body
        try:
            s = smtplib.SMTP("127.0.0.1", args.port, timeout=60)
            s.login(f"sender{n + 1}", args.password)
            for _ in range(args.messages):
                s.sendmail(address, [address], message)
            s.quit()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            errors.append(f"client {n}: {e!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    total = args.clients * args.messages
    record(args, "smtp", seconds, not errors,
           f"{total} messages, {total / seconds:.1f}/s" + (f"; {len(errors)} errors: {errors[0]}" if errors else ""))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("action", choices=["load", "measure", "smtp"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--jsonl", required=True)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--scenario")
    p.add_argument("--run", type=int, default=0)
    p.add_argument("--domain", default="bench.test")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--messages", type=int, default=25)
    args = p.parse_args()
    {"load": load, "measure": measure, "smtp": smtp}[args.action](args)


if __name__ == "__main__":
    main()

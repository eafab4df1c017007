"""Helpers for the NNTP end-to-end tests: a `starcon serve` with the NNTP listener on a free port, its
members and groups made through the command line, an nntplib client, and a line-level client for what
nntplib cannot send (garbage, half articles, pipelined commands, exact octets on the wire)."""
import os
import shutil
import socket
import time
import warnings

from conftest import PASSWORD, Server, free_port, run_cli

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib  # noqa: E402  (deprecated in 3.11, still the stdlib's newsreader)

DOMAIN = "starcon.local"

# username, role, display name, extra flags for `starcon user add`
MEMBERS = [
    ("alice", "member", "Alice Example", []),
    ("minjun", "member", "김민준", []),
    ("olga", "member", "Ольга Петрова", []),
    ("mod", "moderator", "Group Moderator", []),
    ("boss", "admin", "The Boss", []),
    ("mailer", "member", "Mail Only", ["--email-only"]),
]

# name, description, flags for `starcon group create`
GROUPS = [
    ("starcon.general", "General talk", []),
    ("starcon.test", "Testing, testing", []),
    ("starcon.empty", "Nothing here yet", []),
    ("campus.sports", "스포츠 이야기", []),
    ("campus.announce", "Official announcements", ["--read-only"]),
    ("campus.moderated", "Moderated discussion", ["--moderated"]),
]


def populate(cli):
    """Creates MEMBERS and GROUPS with `cli(*args, stdin=...)`."""
    for username, role, display, flags in MEMBERS:
        result = cli("user", "add", username, "--role", role, "--display-name", display, *flags, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    for name, description, flags in GROUPS:
        result = cli("group", "create", name, "--description", description, *flags)
        assert result.returncode == 0, result.stderr


_template = None


def sqlite_template():
    """A data directory with MEMBERS and GROUPS on SQLite, made once per run and copied for each test
    (making six members costs a few seconds of password hashing)."""
    global _template
    if _template is None:
        import tempfile
        directory = tempfile.mkdtemp(prefix="starcon-nntp-template-")
        populate(lambda *args, stdin=None: run_cli(*args, data=directory, stdin=stdin))
        _template = directory
    return _template


def wait_for_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.settimeout(5)
                if s.recv(200).startswith(b"200 "):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"NNTP port {port} did not answer")


class NewsServer:
    """`starcon serve` with --nntp-port; `nntp_port`, `connect()` (nntplib) and `raw()` (line level)."""

    def __init__(self, data, database=None, env=None, populated=False):
        self.nntp_port = free_port()
        self.server = Server(data, database=database, extra=["--nntp-port", str(self.nntp_port)], env=env)
        self.data = data
        self.database = database
        if not populated:
            populate(self.cli)

    def start(self):
        self.server.start()
        wait_for_port(self.nntp_port)
        return self

    def stop(self):
        return self.server.stop()

    @property
    def url(self):
        return self.server.url

    def cli(self, *args, stdin=None):
        return self.server.cli(*args, stdin=stdin)

    def stderr(self):
        return self.server.stderr()

    def connect(self, user="alice", password=PASSWORD, timeout=20, **kwargs):
        """An nntplib client, signed in unless user is None."""
        if user is None:
            return nntplib.NNTP("127.0.0.1", self.nntp_port, timeout=timeout, **kwargs)
        return nntplib.NNTP("127.0.0.1", self.nntp_port, user=user, password=password, timeout=timeout, **kwargs)

    def raw(self, user=None, password=PASSWORD, timeout=15):
        client = RawClient(self.nntp_port, timeout=timeout)
        if user:
            client.login(user, password)
        return client


class RawClient:
    """One NNTP connection at the level of lines and octets."""

    def __init__(self, port, timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self.greeting = self.line()

    def send(self, data):
        """Sends bytes as they are, or a str command followed by CRLF."""
        if isinstance(data, str):
            data = data.encode("utf-8") + b"\r\n"
        self.sock.sendall(data)

    def line_bytes(self):
        line = self.file.readline(1_000_000)
        if not line:
            raise EOFError("connection closed by the server")
        assert line.endswith(b"\r\n"), f"a line not ended by CRLF: {line[:200]!r}"
        return line[:-2]

    def line(self):
        return self.line_bytes().decode("utf-8", "surrogateescape")

    def status(self):
        """(code, text) of the next status line."""
        line = self.line()
        code, _, text = line.partition(" ")
        assert code.isdigit() and len(code) == 3, f"not a status line: {line!r}"
        return int(code), text

    def cmd(self, command):
        self.send(command)
        return self.status()

    def block_wire(self):
        """The octets of a multi-line block exactly as sent, up to and not including the ".\\r\\n" line."""
        chunks = []
        while True:
            line = self.file.readline(1_000_000)
            if not line:
                raise EOFError("connection closed inside a multi-line block")
            if line == b".\r\n":
                return b"".join(chunks)
            chunks.append(line)

    def block(self):
        """The lines of a multi-line block, dot-stuffing undone, as bytes without line endings."""
        wire = self.block_wire()
        lines = wire.split(b"\r\n")[:-1] if wire else []
        return [line[1:] if line.startswith(b".") else line for line in lines]

    def long(self, command):
        """(code, text, lines) for a command; lines is None unless the code has a multi-line answer."""
        code, text = self.cmd(command)
        lines = self.block() if multiline(command, code) else None
        return code, text, lines

    def login(self, user, password=PASSWORD):
        assert self.cmd(f"AUTHINFO USER {user}")[0] == 381
        code, text = self.cmd(f"AUTHINFO PASS {password}")
        assert code == 281, (code, text)

    def post(self, article):
        """POSTs article (bytes, CRLF lines, already dot-stuffed, without the final ".") and returns the
        final (code, text)."""
        code, text = self.cmd("POST")
        assert code == 340, (code, text)
        if not article.endswith(b"\r\n"):
            article += b"\r\n"
        self.send(article + b".\r\n")
        return self.status()

    def wait_closed(self, timeout):
        """Reads until the server closes; returns what it sent meanwhile (raises socket.timeout if it doesn't)."""
        self.sock.settimeout(timeout)
        received = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            chunk = self.file.read1(65536)
            if not chunk:
                return received
            received += chunk
        raise TimeoutError(f"still open after {timeout}s; got {received[:300]!r}")

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


MULTILINE = {
    "ARTICLE": {220}, "HEAD": {221}, "BODY": {222}, "CAPABILITIES": {101}, "HELP": {100}, "LIST": {215},
    "LISTGROUP": {211}, "OVER": {224}, "XOVER": {224}, "HDR": {225}, "XHDR": {221, 225}, "NEWGROUPS": {231},
    "NEWNEWS": {230},
}


def multiline(command, code):
    keyword = command.split()[0].upper() if command.strip() else ""
    return code in MULTILINE.get(keyword, set())


def article(groups, subject, body, headers=(), charset=None):
    """A CRLF article as bytes, dot-stuffed, ready for RawClient.post. body is text (lines joined by \\n)."""
    lines = [f"Newsgroups: {groups}", f"Subject: {subject}", *headers]
    if charset:
        lines.append(f"Content-Type: text/plain; charset={charset}")
    head = "\r\n".join(lines).encode("utf-8")
    encoded = [line.encode(charset or "utf-8") for line in body.split("\n")]
    stuffed = [b"." + line if line.startswith(b".") else line for line in encoded]
    return head + b"\r\n\r\n" + b"\r\n".join(stuffed) + b"\r\n"


def nntplib_lines(text):
    """Article text (LF lines) as the list of bytes lines nntplib.post takes (it dot-stuffs them itself)."""
    return [line.encode("utf-8") for line in text.split("\n")]


def message_id_of(post_reply):
    """The message-id in a 240 "Article received <id>" reply."""
    for word in post_reply.split():
        word = word.rstrip(",")
        if word.startswith("<") and word.endswith(">"):
            return word
    raise AssertionError(f"no message-id in {post_reply!r}")


def headers_of(lines):
    """Header lines (bytes) of an ARTICLE/HEAD answer as a dict name.lower() -> str value (unfolded)."""
    result = {}
    last = None
    for raw in lines:
        if raw == b"":
            break
        text = raw.decode("ascii")
        if text[:1] in (" ", "\t") and last:
            result[last] += " " + text.strip()
            continue
        name, _, value = text.partition(":")
        last = name.lower()
        result[last] = value.strip()
    return result


def body_of(lines):
    """Body lines (bytes) of an ARTICLE answer."""
    return lines[lines.index(b"") + 1:]


def tool(name):
    return shutil.which(name)


def nntp_error_code(error):
    return int(str(error.response)[:3])


__all__ = ["nntplib", "NewsServer", "RawClient", "PASSWORD", "DOMAIN", "MEMBERS", "GROUPS", "sqlite_template",
           "article", "nntplib_lines", "message_id_of", "headers_of", "body_of", "tool", "nntp_error_code", "os"]

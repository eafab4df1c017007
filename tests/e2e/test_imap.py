"""IMAP against the running binary with Python's imaplib: the commands a mail client uses, UIDs that survive a
restart, hostile input, IDLE woken by another connection (and by another node), a suspension that ends the
session, and a real client (s-nail) reading the INBOX."""
import imaplib
import os
import shutil
import socket
import subprocess
import time

import pytest

from conftest import PASSWORD, Server

LIVE = 1.0  # a change must reach an IDLE client within a second


def imap_port(server):
    return int(server.extra[server.extra.index("--imap-port") + 1])


def add_member(server, name):
    result = server.cli("user", "add", name, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


def connect(server, user=None):
    client = imaplib.IMAP4("127.0.0.1", imap_port(server), timeout=10)
    if user:
        typ, _ = client.login(user, PASSWORD)
        assert typ == "OK"
    return client


def message(subject, body="Hello there.\r\n", sender="Park <park@other.example>"):
    return (f"From: {sender}\r\nTo: kim@starcon.local\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}@other.example>\r\nDate: Fri, 4 Dec 2026 23:15:00 +0900\r\n\r\n{body}").encode()


@pytest.fixture
def mail_server(data_dir):
    srv = Server(data_dir)
    add_member(srv, "kim")
    add_member(srv, "lee")
    srv.start()
    yield srv
    srv.stop()


class Idler:
    """A raw socket in IDLE, to see untagged responses as they arrive."""

    def __init__(self, server, user, mailbox="INBOX", password=PASSWORD):
        self.sock = socket.create_connection(("127.0.0.1", imap_port(server)), timeout=10)
        self.buffer = b""
        self.line()
        self.command(f"a LOGIN {user} \"{password}\"", b"a OK")
        self.command(f"b SELECT {mailbox}", b"b OK")
        self.sock.sendall(b"c IDLE\r\n")
        assert self.line().startswith(b"+")

    def line(self, timeout=10):
        self.sock.settimeout(timeout)
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(self.buffer)
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def command(self, text, until):
        self.sock.sendall(text.encode() + b"\r\n")
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if line.startswith(until):
                return lines
            assert not line.split(b" ")[1:2] in ([b"NO"], [b"BAD"]), lines

    def wait_for(self, word, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                line = self.line(timeout=max(0.01, deadline - time.time()))
            except socket.timeout:
                break
            if word in line:
                return line
        return None

    def done(self):
        self.sock.sendall(b"DONE\r\n")
        return self.wait_for(b"c OK", 5)

    def close(self):
        self.sock.close()


def test_a_mail_client_session(mail_server):
    kim = connect(mail_server, "kim")
    typ, caps = kim.capability()
    for name in [b"IMAP4rev1", b"IDLE", b"UIDPLUS", b"MOVE", b"SPECIAL-USE", b"LITERAL+", b"NAMESPACE"]:
        assert name in caps[0]
    typ, boxes = kim.list()
    listing = b"\n".join(boxes)
    assert b'"INBOX"' in listing or b" INBOX" in listing
    assert b"\\Sent" in listing and b"\\Trash" in listing and b"\\Junk" in listing and b"\\Drafts" in listing

    for n in range(3):
        typ, data = kim.append("INBOX", None, None, message(f"note {n}", body=f"body word{n}\r\n"))
        assert typ == "OK" and b"APPENDUID" in data[0], data
    typ, data = kim.select("INBOX")
    assert typ == "OK" and data == [b"3"]
    typ, data = kim.fetch("1:3", "(UID FLAGS RFC822.SIZE ENVELOPE)")
    assert typ == "OK" and b"note 0" in data[0][0] if isinstance(data[0], tuple) else b"note 0" in data[0]
    typ, data = kim.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert data[0][1].strip() == b"Subject: note 1"
    typ, data = kim.fetch("2", "(BODY[TEXT])")
    assert data[0][1] == b"body word1\r\n"
    typ, data = kim.fetch("2", "(FLAGS)")
    assert b"\\Seen" in data[0], "BODY[] without PEEK marks the message read"
    typ, data = kim.fetch("3", "(BODY[]<0.4>)")
    assert data[0][1] == b"From"
    typ, data = kim.fetch("1", "(BODYSTRUCTURE)")
    assert typ == "OK" and b"TEXT" in data[0].upper()

    assert kim.search(None, "SUBJECT", "note")[1] == [b"1 2 3"]
    assert kim.search(None, "BODY", "word2")[1] == [b"3"]
    assert kim.search(None, "UNSEEN")[1] == [b"1"]  # BODY[]<0.4> read 3 too
    assert kim.uid("SEARCH", None, "ALL")[1] == [b"1 2 3"]

    typ, data = kim.store("1", "+FLAGS", "(\\Flagged $Work)")
    # imaplib returns every untagged FETCH it holds; an earlier change to message 3 may come first.
    first = next(d for d in data if d.startswith(b"1 ("))
    assert typ == "OK" and b"\\Flagged" in first and b"$Work" in first
    assert kim.search(None, "FLAGGED")[1] == [b"1"]
    assert kim.search(None, "KEYWORD", "$Work")[1] == [b"1"]

    typ, data = kim.copy("1", "Trash")
    assert typ == "OK"
    typ, data = kim.uid("MOVE", "3", "Junk")
    assert typ == "OK"
    assert kim.search(None, "ALL")[1] == [b"1 2"]
    typ, data = kim.status("Junk", "(MESSAGES UIDNEXT)")
    assert b"MESSAGES 1" in data[0]
    typ, data = kim.status("Trash", "(MESSAGES)")
    assert b"MESSAGES 1" in data[0]

    kim.store("2", "+FLAGS", "\\Deleted")
    typ, data = kim.expunge()
    assert typ == "OK" and data[-1] == b"2"  # imaplib also keeps MOVE's EXPUNGE
    assert kim.search(None, "ALL")[1] == [b"1"]

    assert kim.create("Projects/2026")[0] == "OK"
    typ, data = kim.list('""', "Projects/%")
    assert b"Projects/2026" in data[0]
    assert kim.rename("Projects/2026", "Projects/Done")[0] == "OK"
    assert kim.subscribe("Projects/Done")[0] == "OK"
    typ, data = kim.lsub('""', "*")
    assert any(b"Projects/Done" in line for line in data)
    assert kim.delete("Projects/Done")[0] == "OK"
    assert kim.delete("INBOX")[0] == "NO"
    assert kim.select("Nope")[0] == "NO"
    kim.logout()

    # Another member sees none of it.
    lee = connect(mail_server, "lee")
    assert lee.select("INBOX")[1] == [b"0"]
    lee.logout()


def test_uids_and_validity_survive_a_restart(data_dir):
    srv = Server(data_dir)
    add_member(srv, "kim")
    srv.start()
    kim = connect(srv, "kim")
    for n in range(3):
        kim.append("INBOX", None, None, message(f"keep {n}"))
    kim.select("INBOX")
    validity = kim.response("UIDVALIDITY")[1]
    uids = kim.uid("SEARCH", None, "ALL")[1]
    kim.logout()
    srv.stop()
    srv.start()
    try:
        kim = connect(srv, "kim")
        kim.select("INBOX")
        assert kim.response("UIDVALIDITY")[1] == validity
        assert kim.uid("SEARCH", None, "ALL")[1] == uids
        typ, data = kim.append("INBOX", None, None, message("after restart"))
        assert b"APPENDUID" in data[0] and data[0].split()[2].rstrip(b"]") == b"4"
        kim.logout()
    finally:
        srv.stop()


def test_hostile_input_gets_bad_and_the_server_keeps_serving(mail_server):
    sock = socket.create_connection(("127.0.0.1", imap_port(mail_server)), timeout=10)
    reader = sock.makefile("rb")
    assert reader.readline().startswith(b"* OK")

    def say(text):
        sock.sendall(text)
        return reader.readline()

    assert say(b"a1 FROBNICATE\r\n").startswith(b"a1 BAD")
    assert say(b"\x00\xff garbage\r\n").startswith(b"* BAD")
    assert say(b"a2 FETCH 1 (FLAGS)\r\n").startswith(b"a2 BAD")  # not signed in
    assert say(b"a3 LOGIN kim wrong\r\n").startswith(b"a3 NO")
    # A huge literal is refused in place of the continuation: the client never sends it.
    started = time.time()
    reply = say(b"a4 LOGIN {999999999}\r\n")
    assert reply.startswith(b"a4 NO") and b"TOOBIG" in reply, reply
    assert time.time() - started < 2
    # Before sign-in even a modest literal is refused: only a username or password fits.
    reply = say(b"a4b LOGIN {100000}\r\n")
    assert reply.startswith(b"a4b NO") and b"TOOBIG" in reply, reply
    assert say(b"a5 " + b"X" * 20000 + b"\r\n").startswith(b"a5 BAD")
    assert say(b"a6 NOOP\r\n").startswith(b"a6 OK")
    sock.close()
    # Others are served all along.
    kim = connect(mail_server, "kim")
    assert kim.noop()[0] == "OK"
    kim.logout()


def test_a_silent_connection_is_closed_after_the_idle_timeout(data_dir):
    srv = Server(data_dir, env={"STARCON_IMAP_IDLE_TIMEOUT": "2"})
    add_member(srv, "kim")
    srv.start()
    try:
        idler = Idler(srv, "kim")
        line = idler.wait_for(b"BYE", 6)
        assert line and b"idle" in line, line
        with pytest.raises((EOFError, ConnectionError)):
            idler.line(timeout=5)
    finally:
        srv.stop()


def test_pipelined_commands_and_literal_plus(mail_server):
    sock = socket.create_connection(("127.0.0.1", imap_port(mail_server)), timeout=10)
    reader = sock.makefile("rb")
    reader.readline()
    raw = message("plus")
    sock.sendall(b"a LOGIN kim {21+}\r\n" + PASSWORD.encode() + b"\r\nb APPEND INBOX {%d+}\r\n" % len(raw) + raw
                 + b"\r\nc SELECT INBOX\r\nd FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n")
    replies = b""
    while b"\r\nd OK" not in replies:
        replies += sock.recv(65536)
    assert b"a OK" in replies and b"b OK [APPENDUID" in replies and b"c OK [READ-WRITE]" in replies
    assert b"Subject: plus\r\n" in replies
    sock.close()


def test_idle_sees_an_append_from_another_connection_within_a_second(mail_server):
    idler = Idler(mail_server, "kim")
    other = connect(mail_server, "kim")
    started = time.time()
    other.append("INBOX", None, None, message("live"))
    line = idler.wait_for(b"EXISTS", LIVE + 0.5)
    latency = time.time() - started
    assert line == b"* 1 EXISTS", line
    assert latency < LIVE, latency
    # A flag changed elsewhere arrives as FETCH FLAGS.
    other.select("INBOX")
    other.store("1", "+FLAGS", "\\Flagged")
    line = idler.wait_for(b"FETCH", LIVE + 0.5)
    assert line and b"\\Flagged" in line, line
    assert idler.done()
    idler.close()
    other.logout()


def test_idle_sees_an_smtp_delivery_within_a_second(mail_server):
    import smtplib
    idler = Idler(mail_server, "kim")
    started = time.time()
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("park@other.example", ["kim@starcon.local"], message("delivered"))
    line = idler.wait_for(b"EXISTS", LIVE + 0.5)
    latency = time.time() - started
    assert line == b"* 1 EXISTS", line
    assert latency < LIVE, latency
    idler.sock.sendall(b"DONE\r\n")
    assert idler.wait_for(b"c OK", 5)
    idler.sock.sendall(b"e FETCH 1 (ENVELOPE)\r\n")
    line = idler.wait_for(b"ENVELOPE", 5)
    assert b'"delivered"' in line, line
    idler.close()


def test_a_suspended_member_is_refused_and_their_session_ends(mail_server):
    idler = Idler(mail_server, "lee")
    result = mail_server.cli("user", "suspend", "lee", "--reason", "imap test")
    assert result.returncode == 0, result.stderr
    line = idler.wait_for(b"BYE", 5)
    assert line and line.startswith(b"* BYE"), line
    with pytest.raises((EOFError, ConnectionError, socket.timeout)):
        for _ in range(10):
            idler.line(timeout=5)
    with pytest.raises(imaplib.IMAP4.error):
        connect(mail_server, "lee")


@pytest.mark.skipif(not os.environ.get("STARCON_TEST_POSTGRES_URL"), reason="needs PostgreSQL")
def test_idle_on_node_two_sees_an_append_through_node_one(tmp_path, pg_database):
    nodes = []
    for n in (1, 2):
        directory = tmp_path / f"node{n}"
        directory.mkdir()
        nodes.append(Server(str(directory), database=pg_database))
    add_member(nodes[0], "kim")
    try:
        for node in nodes:
            node.start()
        idler = Idler(nodes[1], "kim")
        one = connect(nodes[0], "kim")
        started = time.time()
        one.append("INBOX", None, None, message("across nodes"))
        line = idler.wait_for(b"EXISTS", 3)
        latency = time.time() - started
        print(f"cross-node IDLE: {latency * 1000:.0f} ms")
        assert line == b"* 1 EXISTS", line
        assert latency < LIVE, latency
        # A suspension made by the command line (a third process) ends the session on node 2 too.
        assert idler.done()
        idler.sock.sendall(b"d IDLE\r\n")
        assert idler.line().startswith(b"+")
        result = nodes[0].cli("user", "suspend", "kim", "--reason", "two-node imap test")
        assert result.returncode == 0, result.stderr
        line = idler.wait_for(b"BYE", 5)
        assert line and line.startswith(b"* BYE"), line
        idler.close()
    finally:
        for node in nodes:
            node.stop()


@pytest.mark.skipif(shutil.which("s-nail") is None, reason="s-nail is not installed (scripts/install-deps.sh)")
def test_s_nail_reads_the_inbox(mail_server, tmp_path):
    kim = connect(mail_server, "kim")
    kim.append("INBOX", None, None, message("read by s-nail", body="Greetings from the other side.\r\n"))
    kim.logout()
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "MAILRC": "/dev/null"}
    url = f"imap://kim@127.0.0.1:{imap_port(mail_server)}"
    command = ["s-nail", "-n", "-#", "-S", "v15-compat", "-S", f"password-kim@127.0.0.1:{imap_port(mail_server)}={PASSWORD}",
               "-S", "folder=" + url, "-S", "imap-cache=", "-f", url + "/INBOX"]
    result = subprocess.run(command, input="headers\nprint 1\nquit\n", capture_output=True, text=True, timeout=60, env=env)
    output = result.stdout + result.stderr
    assert "read by s-nail" in output, output
    assert "Greetings from the other side." in output, output


@pytest.fixture
def tls_server(data_dir):
    key, cert = os.path.join(data_dir, "key.pem"), os.path.join(data_dir, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    srv = Server(data_dir, extra=["--tls-cert", cert, "--tls-key", key])
    add_member(srv, "kim")
    srv.start()
    yield srv
    srv.stop()


def test_starttls_then_login(tls_server):
    import ssl
    client = imaplib.IMAP4("127.0.0.1", imap_port(tls_server), timeout=10)
    assert "STARTTLS" in client.capabilities and "LOGINDISABLED" not in client.capabilities
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    typ, _ = client.starttls(ssl_context=context)
    assert typ == "OK"
    assert "STARTTLS" not in client.capabilities
    assert client.login("kim", PASSWORD)[0] == "OK"
    assert client.select("INBOX")[0] == "OK"
    client.logout()


def test_commands_injected_after_starttls_are_dropped(tls_server):
    import ssl
    sock = socket.create_connection(("127.0.0.1", imap_port(tls_server)), timeout=10)
    reader = sock.makefile("rb")
    reader.readline()
    # A man in the middle appends a command in the clear after STARTTLS; it must never run over TLS.
    sock.sendall(b"a STARTTLS\r\nb LOGIN kim \"" + PASSWORD.encode() + b"\"\r\n")
    assert reader.readline().startswith(b"a OK")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    tls = context.wrap_socket(sock, server_hostname="127.0.0.1")
    tls.sendall(b"c NOOP\r\n")
    reply = b""
    while b"c OK" not in reply:
        reply += tls.recv(4096)
    assert b"b OK" not in reply and b"b NO" not in reply, reply
    tls.sendall(b"d SELECT INBOX\r\n")
    reply = b""
    while b"d " not in reply:
        reply += tls.recv(4096)
    assert b"d BAD" in reply, "still not signed in: the injected LOGIN never ran"
    tls.close()

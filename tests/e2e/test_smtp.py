"""SMTP (RFC 5321) against the real binary: submission with AUTH PLAIN and LOGIN (Python's smtplib and
swaks), mail from other servers for members only (never an open relay), the size limit, a client that
leaves mid-DATA, wrong passwords and the sign-in throttle, suspension, two servers relaying to each other
with --relay and a bounce when the relay stays down, kill -9 after a 250, and STARTTLS with a self-signed
certificate.

Delivery is checked over IMAP (Python's imaplib, reading without marking anything seen) while the server
runs, and in the server's SQLite file, opened read-only, while it is stopped (after kill -9)."""
import base64
import imaplib
import os
import signal
import smtplib
import socket
import sqlite3
import ssl
import subprocess
import time

import pytest

from conftest import PASSWORD, Server, free_port

DOMAIN = "starcon.local"


# ---------------------------------------------------------------------------------------------- helpers

def start(data_dir, domain=DOMAIN, env=None, extra=(), users=("kim", "lee")):
    srv = Server(data_dir, extra=["--domain", domain, *extra], env=env).start()
    for name in users:
        added = srv.cli("user", "add", name, stdin=PASSWORD)
        assert added.returncode == 0, added.stderr
    return srv


def mailbox(srv, username, role="inbox"):
    """The raw messages in a member's mailbox (by role), oldest first: over IMAP from a running server, from
    the SQLite file of a stopped one."""
    if srv.process is not None and srv.process.poll() is None:
        return imap_mailbox(srv, username, role)
    return stored_mailbox(srv, username, role)


def imap_mailbox(srv, username, role):
    port = int(srv.extra[srv.extra.index("--imap-port") + 1])
    client = imaplib.IMAP4("127.0.0.1", port, timeout=20)
    try:
        client.login(username, PASSWORD)
        status, _ = client.select({"inbox": "INBOX", "sent": "Sent"}[role], readonly=True)
        assert status == "OK"
        status, data = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
        assert status == "OK"
        return [part[1].decode("utf-8", "replace") for part in data if isinstance(part, tuple)]
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def stored_mailbox(srv, username, role="inbox"):
    """The same, read from the SQLite file (opened read-only)."""
    path = os.path.join(srv.data, "starcon.sqlite")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        rows = db.execute(
            """SELECT r.raw FROM mail_entries e JOIN mailboxes b ON b.id = e.mailbox_id
               JOIN accounts a ON a.id = b.account_id JOIN mail_message_bytes r ON r.message_id = e.message_id
               WHERE a.username_key = ? AND b.role = ? ORDER BY e.uid""", (username.lower(), role)).fetchall()
    except sqlite3.OperationalError:
        return []  # no mailbox table rows yet
    finally:
        db.close()
    return [bytes(r[0]).decode("utf-8", "replace") for r in rows]


def queue_rows(srv):
    path = os.path.join(srv.data, "starcon.sqlite")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute("SELECT recipient, attempts, last_error FROM mail_queue ORDER BY id").fetchall()
    finally:
        db.close()


def wait_for(check, timeout=20, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    return check()


def message(sender, to, subject, body="Noodles at noon?"):
    return f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n"


def smtp(srv):
    client = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=20)
    client.ehlo("client.test")
    return client


class Raw:
    """Line-level SMTP over a socket, for exact replies, pipelining and half-sent messages."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    def reply(self):
        lines = []
        while True:
            line = self.file.readline().decode()
            if not line:
                raise ConnectionError("closed: " + "".join(lines))
            lines.append(line)
            if line[3:4] != "-":
                return int(line[:3]), "".join(lines)

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def close(self):
        self.sock.close()


@pytest.fixture
def mail(data_dir):
    srv = start(data_dir)
    yield srv
    srv.stop()


# ---------------------------------------------------------------------------------------------- submission

def test_ehlo_advertises_the_extensions(mail):
    client = smtp(mail)
    for extension in ["pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes", "auth"]:
        assert client.has_extn(extension), extension
    assert set(client.esmtp_features["auth"].split()) == {"PLAIN", "LOGIN"}
    assert int(client.esmtp_features["size"]) == 25 * 1024 * 1024
    assert not client.has_extn("starttls"), "no STARTTLS without a certificate"
    client.quit()


def test_submission_with_auth_plain_and_login_delivers_to_a_local_member(mail):
    client = smtp(mail)
    client.login("kim", PASSWORD)  # smtplib picks PLAIN
    refused = client.sendmail(f"kim@{DOMAIN}", [f"lee@{DOMAIN}"], message(f"kim@{DOMAIN}", f"lee@{DOMAIN}", "plain"))
    assert refused == {}
    client.quit()

    client = smtp(mail)
    client.user, client.password = "kim", PASSWORD
    code, _ = client.auth("LOGIN", client.auth_login, initial_response_ok=False)
    assert code == 235
    client.sendmail(f"kim@{DOMAIN}", [f"lee@{DOMAIN}"], message(f"kim@{DOMAIN}", f"lee@{DOMAIN}", "login"))
    client.quit()

    inbox = mailbox(mail, "lee")
    assert [m for m in inbox if "Subject: plain" in m] and [m for m in inbox if "Subject: login" in m]
    first = inbox[0]
    assert first.startswith("Received: from client.test (127.0.0.1) by "), first[:200]
    assert " with ESMTPA id " in first
    assert "\r\nMessage-ID: <" in first and "\r\nDate: " in first, "added when missing"
    sent = mailbox(mail, "kim", "sent")
    assert len(sent) == 2


def test_swaks_submits_with_auth_plain_and_login(mail):
    for mechanism in ["PLAIN", "LOGIN"]:
        result = subprocess.run(
            ["swaks", "--server", "127.0.0.1", "--port", str(mail.smtp_port), "--auth", mechanism,
             "--auth-user", "kim", "--auth-password", PASSWORD, "--from", f"kim@{DOMAIN}", "--to", f"lee@{DOMAIN}",
             "--header", f"Subject: swaks {mechanism}", "--body", "안녕하세요", "--ehlo", "swaks.test"],
            capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "250 2.0.0 OK: queued as" in result.stdout
    inbox = mailbox(mail, "lee")
    assert any("Subject: swaks PLAIN" in m for m in inbox) and any("Subject: swaks LOGIN" in m for m in inbox)
    assert "안녕하세요" in inbox[-1]


def test_a_member_sends_only_as_themself(mail):
    client = smtp(mail)
    client.login("kim", PASSWORD)
    code, text = client.mail(f"lee@{DOMAIN}")
    assert code == 553 and b"5.7.1" in text
    client.rset()
    # The envelope is theirs but the From header is not: refused after DATA.
    with pytest.raises(smtplib.SMTPDataError) as refused:
        client.sendmail(f"kim@{DOMAIN}", [f"lee@{DOMAIN}"], message(f"lee@{DOMAIN}", f"lee@{DOMAIN}", "forged"))
    assert refused.value.smtp_code == 553
    client.quit()
    assert not any("forged" in m for m in mailbox(mail, "lee"))


# ---------------------------------------------------------------------------------------------- inbound

def test_inbound_without_auth_reaches_a_local_member(mail):
    client = smtp(mail)
    client.sendmail("park@other.example", [f"Lee@{DOMAIN}"], message("park@other.example", f"lee@{DOMAIN}", "from afar"))
    client.quit()
    inbox = mailbox(mail, "lee")
    assert len(inbox) == 1
    assert inbox[0].startswith("Return-Path: <park@other.example>\r\nReceived: from client.test (127.0.0.1)")
    assert " with ESMTP id " in inbox[0]


def test_unknown_local_user_is_refused_at_rcpt(mail):
    client = smtp(mail)
    client.mail("park@other.example")
    code, text = client.rcpt(f"nobody@{DOMAIN}")
    assert code == 550 and b"5.1.1" in text
    code, _ = client.rcpt(f"lee@{DOMAIN}")
    assert code == 250, "the transaction goes on for the members who exist"
    client.quit()


def test_never_an_open_relay(mail):
    client = smtp(mail)
    client.mail("park@other.example")
    code, text = client.rcpt("someone@elsewhere.example")
    assert code == 550 and b"5.7.1" in text
    client.rset()
    # Claiming to be a member without signing in is refused at MAIL.
    code, text = client.mail(f"kim@{DOMAIN}")
    assert code == 530
    client.quit()
    assert queue_rows(mail) == []


def test_size_limit(mail):
    client = smtp(mail)
    code, text = client.mail("park@other.example", ["SIZE=30000000"])
    assert code == 552 and b"5.3.4" in text
    client.quit()
    # A message over the limit without SIZE: read to its end, refused, nothing stored.
    raw = Raw(mail.smtp_port)
    raw.cmd("EHLO big.test")
    assert raw.cmd("MAIL FROM:<park@other.example>")[0] == 250
    assert raw.cmd(f"RCPT TO:<lee@{DOMAIN}>")[0] == 250
    assert raw.cmd("DATA")[0] == 354
    line = ("x" * 998 + "\r\n").encode()
    raw.send(b"Subject: big\r\n\r\n" + line * (26 * 1024 + 100) + b".\r\n")
    code, text = raw.reply()
    assert code == 552, text
    assert raw.cmd("NOOP")[0] == 250, "the connection goes on"
    raw.close()
    assert mailbox(mail, "lee") == []


def test_a_client_that_leaves_mid_data_loses_nothing_accepted_and_stores_nothing_partial(mail):
    raw = Raw(mail.smtp_port)
    raw.cmd("EHLO leaver.test")
    # Pipelined (RFC 2920): the whole first transaction in one write.
    raw.send(f"MAIL FROM:<park@other.example>\r\nRCPT TO:<lee@{DOMAIN}>\r\nDATA\r\n")
    assert [raw.reply()[0] for _ in range(3)] == [250, 250, 354]
    raw.send("Subject: kept\r\n\r\nwhole\r\n.\r\n")
    assert raw.reply()[0] == 250
    raw.cmd("MAIL FROM:<park@other.example>")
    raw.cmd(f"RCPT TO:<lee@{DOMAIN}>")
    assert raw.cmd("DATA")[0] == 354
    raw.send("Subject: half\r\n\r\nthis never ends")
    time.sleep(0.3)
    raw.close()
    time.sleep(0.5)
    inbox = mailbox(mail, "lee")
    assert len(inbox) == 1 and "Subject: kept" in inbox[0]
    # The server goes on serving.
    client = smtp(mail)
    assert client.noop()[0] == 250
    client.quit()


def test_bare_lf_dot_does_not_end_the_message(mail):
    raw = Raw(mail.smtp_port)
    raw.cmd("EHLO smuggler.test")
    raw.cmd("MAIL FROM:<park@other.example>")
    raw.cmd(f"RCPT TO:<lee@{DOMAIN}>")
    assert raw.cmd("DATA")[0] == 354
    # "\n.\n" and "\n.\r\n" are text, not the end (SMTP smuggling); only CRLF . CRLF ends it.
    raw.send(f"Subject: one\r\n\r\nfirst\n.\nMAIL FROM:<x@other.example>\r\nmore\n.\r\nRCPT TO:<kim@{DOMAIN}>\r\n.\r\n")
    code, _ = raw.reply()
    assert code == 250
    raw.close()
    inbox = mailbox(mail, "lee")
    assert len(inbox) == 1 and "RCPT TO:<kim@" in inbox[0]
    assert mailbox(mail, "kim") == []


def test_garbage_gets_reply_codes_and_changes_nothing(mail):
    raw = Raw(mail.smtp_port)
    assert raw.cmd("HELLO there")[0] == 500
    assert raw.cmd("MAIL FROM:<park@other.example>")[0] == 503, "EHLO first"
    raw.cmd("EHLO x.test")
    assert raw.cmd("MAIL FROM:<not an address>")[0] in (501, 553)
    assert raw.cmd("RCPT TO:<lee@starcon.local>")[0] == 503
    assert raw.cmd("DATA")[0] == 503
    assert raw.cmd("A" * 20000)[0] == 500, "an over-long line"
    assert raw.cmd("NOOP")[0] == 250
    raw.send(b"\xff\xfe\r\n")
    assert raw.reply()[0] == 500
    raw.close()
    assert mailbox(mail, "lee") == []


def test_a_silent_client_is_closed_with_421(data_dir):
    srv = start(data_dir, env={"STARCON_SMTP_IDLE_TIMEOUT": "1"})
    try:
        raw = Raw(srv.smtp_port)
        raw.cmd("EHLO slow.test")
        raw.cmd("MAIL FROM:<park@other.example>")
        raw.cmd(f"RCPT TO:<lee@{DOMAIN}>")
        assert raw.cmd("DATA")[0] == 354
        raw.send("Subject: slow\r\n")
        raw.sock.settimeout(10)
        code, _ = raw.reply()
        assert code == 421
        assert raw.file.readline() == b"", "and closed"
        assert mailbox(srv, "lee") == [], "nothing partial stored"
    finally:
        srv.stop()


# ---------------------------------------------------------------------------------------------- sign-in

def _auth_plain(raw, user, password):
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    return raw.cmd(f"AUTH PLAIN {token}")


def test_wrong_password_then_the_throttle(mail):
    codes = []
    for _ in range(3):
        raw = Raw(mail.smtp_port)
        raw.cmd("EHLO guess.test")
        for _ in range(2):
            codes.append(_auth_plain(raw, "kim", "wrong password")[0])
        raw.close()
    # Five wrong passwords from one address are counted; the sixth attempt is throttled (the web's rule).
    assert codes[:5] == [535] * 5, codes
    assert codes[5] == 454, codes
    raw = Raw(mail.smtp_port)
    raw.cmd("EHLO guess.test")
    assert _auth_plain(raw, "kim", PASSWORD)[0] == 454, "even the right password waits out the window"
    raw.close()
    # Another member is not affected.
    raw = Raw(mail.smtp_port)
    raw.cmd("EHLO ok.test")
    assert _auth_plain(raw, "lee", PASSWORD)[0] == 235
    raw.close()


def test_three_failures_close_the_connection(mail):
    raw = Raw(mail.smtp_port)
    raw.cmd("EHLO guess.test")
    assert raw.cmd("AUTH LOGIN")[0] == 334
    assert raw.cmd(base64.b64encode(b"nobody").decode())[0] == 334
    assert raw.cmd(base64.b64encode(b"nope").decode())[0] == 535
    assert _auth_plain(raw, "lee", "bad")[0] == 535
    assert _auth_plain(raw, "kim", "bad")[0] == 535
    with pytest.raises((ConnectionError, OSError)):
        raw.cmd("NOOP")


def test_a_suspended_member_is_refused(mail):
    # Signed in before the suspension: the suspension event ends the session with 421 4.7.0 at once, as IMAP's.
    early = smtp(mail)
    early.login("lee", PASSWORD)
    suspended = mail.cli("user", "suspend", "lee", "--reason", "testing")
    code, text = early.getreply()
    assert code == 421 and b"4.7.0" in text, (code, text)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        early.sendmail(f"lee@{DOMAIN}", [f"kim@{DOMAIN}"], message(f"lee@{DOMAIN}", f"kim@{DOMAIN}", "too late"))
    early.close()
    assert mailbox(mail, "kim") == []
    assert suspended.returncode == 0, suspended.stderr
    raw = Raw(mail.smtp_port)
    raw.cmd("EHLO x.test")
    code, text = _auth_plain(raw, "lee", PASSWORD)
    assert code == 535 and "suspended" in text
    raw.close()
    client = smtp(mail)
    client.mail("park@other.example")
    code, text = client.rcpt(f"lee@{DOMAIN}")
    assert code == 550 and b"5.2.1" in text, "mail for a suspended member is refused too"
    client.quit()


# ---------------------------------------------------------------------------------------------- relaying

@pytest.fixture
def two_servers(tmp_path):
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    a_port, b_port = free_port(), free_port()
    env = {"STARCON_MAIL_RETRY_SECONDS": "0.5,0.5"}
    a = start(str(a_dir), domain="a.test", env=env, users=("kim",),
              extra=["--smtp-port", str(a_port), "--relay", f"b.test=127.0.0.1:{b_port}", "--relay", f"down.test=127.0.0.1:{free_port()}"])
    b = start(str(b_dir), domain="b.test", env=env, users=("lee",),
              extra=["--smtp-port", str(b_port), "--relay", f"a.test=127.0.0.1:{a_port}"])
    yield a, b
    a.stop()
    b.stop()


def test_two_servers_relay_to_each_other_and_bounce(two_servers):
    a, b = two_servers
    client = smtp(a)
    client.login("kim", PASSWORD)
    client.sendmail("kim@a.test", ["lee@b.test"], message("kim@a.test", "lee@b.test", "across"))
    client.quit()
    inbox = wait_for(lambda: mailbox(b, "lee"))
    assert len(inbox) == 1 and "Subject: across" in inbox[0]
    assert inbox[0].startswith("Return-Path: <kim@a.test>\r\nReceived: from a.test (127.0.0.1) by ")
    assert wait_for(lambda: queue_rows(a) == []), queue_rows(a)

    # And back (the reply goes through b's queue to a).
    client = smtp(b)
    client.login("lee", PASSWORD)
    client.sendmail("lee@b.test", ["kim@a.test"], message("lee@b.test", "kim@a.test", "Re: across"))
    client.quit()
    assert wait_for(lambda: [m for m in mailbox(a, "kim") if "Subject: Re: across" in m])

    # A permanent refusal (no such member at b.test) bounces at once.
    client = smtp(a)
    client.login("kim", PASSWORD)
    client.sendmail("kim@a.test", ["ghost@b.test"], message("kim@a.test", "ghost@b.test", "to a ghost"))
    # A relay that is down: retried twice (0.5 s apart), then bounced.
    client.sendmail("kim@a.test", ["someone@down.test"], message("kim@a.test", "someone@down.test", "to the void"))
    client.quit()
    bounces = wait_for(lambda: [m for m in mailbox(a, "kim") if "report-type=delivery-status" in m and len(
        [x for x in mailbox(a, "kim") if "report-type=delivery-status" in x]) == 2], timeout=30)
    assert bounces, mailbox(a, "kim")
    reports = [m for m in mailbox(a, "kim") if "report-type=delivery-status" in m]
    ghost = next(m for m in reports if "ghost@b.test" in m)
    assert "Action: failed" in ghost and "Status: 5.1.1" in ghost and "Subject: to a ghost" in ghost
    void = next(m for m in reports if "someone@down.test" in m)
    assert "Final-Recipient: rfc822; someone@down.test" in void and "Status: 4." in void
    assert queue_rows(a) == []


# ---------------------------------------------------------------------------------------------- durability

def test_mail_accepted_with_250_survives_kill_9_and_restart(data_dir):
    blackhole = free_port()
    srv = start(data_dir, extra=["--relay", f"far.test=127.0.0.1:{blackhole}"], env={"STARCON_MAIL_RETRY_SECONDS": "600"})
    client = smtp(srv)
    client.login("kim", PASSWORD)
    client.sendmail(f"kim@{DOMAIN}", [f"lee@{DOMAIN}", "park@far.test"],
                    message(f"kim@{DOMAIN}", f"lee@{DOMAIN}, park@far.test", "durable"))
    client.quit()
    srv.stop(sig=signal.SIGKILL)
    assert any("Subject: durable" in m for m in mailbox(srv, "lee"))
    assert [r[0] for r in queue_rows(srv)] == ["park@far.test"], "the queued copy is stored too"
    # After a restart the queue is worked again: a relay listening now receives it.
    received = []
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", blackhole))
    listener.listen()
    srv.env = {"STARCON_MAIL_RETRY_SECONDS": "0.2"}
    # The first try was made (and failed) before the kill; make the row due now.
    db = sqlite3.connect(os.path.join(srv.data, "starcon.sqlite"), timeout=10)
    db.execute("UPDATE mail_queue SET next_attempt_at = 0, claimed_until = 0")
    db.commit()
    db.close()
    srv.start()
    try:
        listener.settimeout(20)
        conn, _ = listener.accept()
        conn.settimeout(10)
        conn.sendall(b"220 far.test ESMTP\r\n")
        stream = conn.makefile("rb")
        data = []
        while True:
            line = stream.readline().decode()
            if not line:
                break
            if line.upper().startswith("EHLO"):
                conn.sendall(b"250 far.test\r\n")
            elif line.upper().startswith(("MAIL", "RCPT")):
                conn.sendall(b"250 OK\r\n")
            elif line.upper().startswith("DATA"):
                conn.sendall(b"354 go\r\n")
                while True:
                    body = stream.readline().decode()
                    if body == ".\r\n":
                        break
                    data.append(body)
                conn.sendall(b"250 OK\r\n")
            elif line.upper().startswith("QUIT"):
                conn.sendall(b"221 bye\r\n")
                break
        received.append("".join(data))
        conn.close()
    finally:
        listener.close()
    assert "Subject: durable" in received[0]
    assert wait_for(lambda: queue_rows(srv) == [])
    srv.stop()


# ---------------------------------------------------------------------------------------------- STARTTLS

@pytest.fixture
def tls_mail(data_dir):
    cert, key = os.path.join(data_dir, "cert.pem"), os.path.join(data_dir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    srv = start(data_dir, extra=["--tls-cert", cert, "--tls-key", key])
    yield srv
    srv.stop()


def _unverified():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def test_starttls_with_a_self_signed_certificate(tls_mail):
    client = smtp(tls_mail)
    assert client.has_extn("starttls")
    code, _ = client.starttls(context=_unverified())
    assert code == 220
    client.ehlo("client.test")
    assert not client.has_extn("starttls")
    client.login("kim", PASSWORD)
    client.sendmail(f"kim@{DOMAIN}", [f"lee@{DOMAIN}"], message(f"kim@{DOMAIN}", f"lee@{DOMAIN}", "over tls"))
    client.quit()
    inbox = mailbox(tls_mail, "lee")
    assert len(inbox) == 1 and " with ESMTPSA id " in inbox[0]

    result = subprocess.run(
        ["swaks", "--server", "127.0.0.1", "--port", str(tls_mail.smtp_port), "--tls", "--auth", "LOGIN",
         "--auth-user", "kim", "--auth-password", PASSWORD, "--from", f"kim@{DOMAIN}", "--to", f"lee@{DOMAIN}",
         "--header", "Subject: swaks tls"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert any("Subject: swaks tls" in m for m in mailbox(tls_mail, "lee"))


def test_commands_sent_in_the_clear_after_starttls_are_dropped(tls_mail):
    raw = Raw(tls_mail.smtp_port)
    raw.cmd("EHLO x.test")
    # A man in the middle appends a command after STARTTLS (CVE-2011-0411); it must not run inside TLS.
    raw.send(f"STARTTLS\r\nMAIL FROM:<park@other.example>\r\n")
    assert raw.reply()[0] == 220
    tls = _unverified().wrap_socket(raw.sock, server_hostname="localhost")
    stream = tls.makefile("rb")
    tls.sendall(b"NOOP\r\n")
    line = stream.readline().decode()
    assert line.startswith("250 2.0.0 OK"), f"the injected MAIL was answered: {line}"
    tls.sendall(b"EHLO x.test\r\n")
    assert stream.readline().decode().startswith("250")
    tls.close()


# ---------------------------------------------------------------------------------------------- PostgreSQL, two nodes

class FakeRelay:
    """A receiving SMTP server on a thread that keeps every message it is given."""

    def __init__(self):
        import threading
        self.messages = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import threading
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        stream = conn.makefile("rb")
        conn.sendall(b"220 far.test ESMTP\r\n")
        while True:
            line = stream.readline().decode()
            if not line or line.upper().startswith("QUIT"):
                break
            if line.upper().startswith("DATA"):
                conn.sendall(b"354 go\r\n")
                body = []
                while (text := stream.readline().decode()) != ".\r\n":
                    body.append(text)
                with self.lock:
                    self.messages.append("".join(body))
            conn.sendall(b"250 OK\r\n")
        conn.close()

    def close(self):
        self.sock.close()


def _psql_count(url, sql):
    out = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True, check=True).stdout
    return int(out.strip())


def test_two_nodes_on_postgresql_share_the_queue_and_deliver_each_message_once(tmp_path, pg_database):
    relay = FakeRelay()
    nodes = []
    for name in ["a", "b"]:
        directory = tmp_path / name
        directory.mkdir()
        nodes.append(Server(str(directory), database=pg_database,
                            extra=["--relay", f"far.test=127.0.0.1:{relay.port}"]).start())
    try:
        for user in ["kim", "lee"]:
            assert nodes[0].cli("user", "add", user, stdin=PASSWORD).returncode == 0
        for index in range(6):
            client = smtp(nodes[index % 2])
            client.login("kim", PASSWORD)
            client.sendmail(f"kim@{DOMAIN}", [f"lee@{DOMAIN}", f"park{index}@far.test"],
                            message(f"kim@{DOMAIN}", f"lee@{DOMAIN}", f"pg {index}"))
            client.quit()
        assert wait_for(lambda: len(relay.messages) >= 6, timeout=30)
        time.sleep(2)
        subjects = sorted(line for m in relay.messages for line in m.splitlines() if line.startswith("Subject:"))
        assert subjects == [f"Subject: pg {i}" for i in range(6)], "each once, whichever node took it"
        assert _psql_count(pg_database, "SELECT COUNT(*) FROM mail_queue") == 0
        inbox = _psql_count(pg_database, """SELECT COUNT(*) FROM mail_entries e JOIN mailboxes b ON b.id = e.mailbox_id
                                            JOIN accounts a ON a.id = b.account_id WHERE a.username_key = 'lee' AND b.role = 'inbox'""")
        assert inbox == 6
    finally:
        for node in nodes:
            node.stop()
        relay.close()

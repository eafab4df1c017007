"""NNTP STARTTLS (RFC 4642) with the certificate SMTP uses: offered in CAPABILITIES while in the clear and
before AUTHINFO, 382 then TLS, AUTHINFO inside it, and nothing a client sent in the clear after STARTTLS runs."""
import os
import socket
import ssl
import subprocess

import pytest

from conftest import PASSWORD, Server


@pytest.fixture
def news_tls(data_dir):
    cert, key = os.path.join(data_dir, "cert.pem"), os.path.join(data_dir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    srv = Server(data_dir, extra=["--tls-cert", cert, "--tls-key", key]).start()
    assert srv.cli("user", "add", "kim", stdin=PASSWORD).returncode == 0
    srv.nntp_port = int(srv.extra[srv.extra.index("--nntp-port") + 1])
    yield srv
    srv.stop()


def _context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _reply(stream):
    """One response; a multi-line one (1xx with a list) read to its dot."""
    first = stream.readline().decode()
    lines = [first]
    if first[:3] in ("101",):
        while True:
            line = stream.readline().decode()
            if line == ".\r\n":
                break
            lines.append(line)
    return first[:3], lines


def test_starttls_then_authinfo_inside_tls(news_tls):
    sock = socket.create_connection(("127.0.0.1", news_tls.nntp_port), timeout=20)
    stream = sock.makefile("rb")
    assert _reply(stream)[0] == "200"
    sock.sendall(b"CAPABILITIES\r\n")
    code, lines = _reply(stream)
    assert code == "101" and "STARTTLS\r\n" in lines
    # An injected command after STARTTLS, in the same packet, must not run inside TLS (RFC 4642 §2.2.2).
    sock.sendall(b"STARTTLS\r\nDATE\r\n")
    assert _reply(stream)[0] == "382"
    tls = _context().wrap_socket(sock, server_hostname="localhost")
    stream = tls.makefile("rb")
    tls.sendall(b"CAPABILITIES\r\n")
    code, lines = _reply(stream)
    assert code == "101", lines
    assert "STARTTLS\r\n" not in lines, "not offered twice"
    tls.sendall(b"AUTHINFO USER kim\r\n")
    assert _reply(stream)[0] == "381"
    tls.sendall(f"AUTHINFO PASS {PASSWORD}\r\n".encode())
    assert _reply(stream)[0] == "281"
    tls.sendall(b"STARTTLS\r\n")
    assert _reply(stream)[0] == "502"
    tls.sendall(b"QUIT\r\n")
    assert _reply(stream)[0] == "205"
    tls.close()


def test_no_starttls_without_a_certificate(server):
    port = int(server.extra[server.extra.index("--nntp-port") + 1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    stream = sock.makefile("rb")
    _reply(stream)
    sock.sendall(b"CAPABILITIES\r\n")
    assert "STARTTLS\r\n" not in _reply(stream)[1]
    sock.sendall(b"STARTTLS\r\n")
    assert _reply(stream)[0] == "502"
    sock.sendall(b"DATE\r\n")
    assert _reply(stream)[0] == "111", "the framer reads on after a STARTTLS that did not start TLS"
    sock.close()

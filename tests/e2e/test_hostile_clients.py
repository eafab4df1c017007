"""Clients that do not play by the rules, over raw sockets against the real binary: connections that never
finish a request, too many connections from one address, a process out of file descriptors, requests the
HTTP parser cannot read, bodies over a route's limit, and who may read /metrics."""
import os
import resource
import select
import socket
import threading
import time

import pytest
import requests

from conftest import PASSWORD, Server, free_port

SHORT_TIMEOUTS = {"STARCON_HTTP_REQUEST_TIMEOUT": "2", "STARCON_HTTP_IDLE_TIMEOUT": "2"}


def connect(server, source="127.0.0.1", timeout=10):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout, source_address=(source, 0))
    s.settimeout(timeout)
    return s


def closed_within(sockets, limit):
    """The sockets the server has closed once the first closes (or `limit` s pass), after a moment for others."""
    readable, _, _ = select.select(sockets, [], [], limit)
    if readable:
        time.sleep(0.5)
        readable, _, _ = select.select(sockets, [], [], 0)
    return [s for s in readable if read_until_closed(s, 1) is not None]


def read_until_closed(s, limit=15):
    """Everything the server sends until it closes the connection, or None when it is still open after `limit` s."""
    data = b""
    deadline = time.time() + limit
    while time.time() < deadline:
        s.settimeout(max(0.1, deadline - time.time()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return None
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk
    return None


def still_open(sockets, limit=15):
    """How many of `sockets` the server has not closed after waiting at most `limit` seconds for all of them."""
    waiting = set(sockets)
    deadline = time.time() + limit
    while waiting and time.time() < deadline:
        readable, _, _ = select.select(list(waiting), [], [], max(0.1, deadline - time.time()))
        for s in readable:
            try:
                if not s.recv(65536):
                    waiting.discard(s)
            except OSError:
                waiting.discard(s)
    return len(waiting)


def healthz(server, source="127.0.0.1", timeout=10):
    """The status line of GET /healthz sent from `source`, or None when the connection was refused or closed."""
    try:
        s = connect(server, source, timeout)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = read_until_closed(s, timeout) or b""
        s.close()
    except OSError:
        return None
    return answer.split(b"\r\n", 1)[0].decode() if answer else None


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture
def short_server(data_dir):
    srv = Server(data_dir, env=SHORT_TIMEOUTS).start()
    yield srv
    srv.stop()


# MARK: connections that stay silent, too many connections


def test_half_sent_requests_are_closed_after_the_request_timeout(short_server):
    held = []
    for _ in range(50):
        s = connect(short_server)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        held.append(s)
    started = time.time()
    assert healthz(short_server) == "HTTP/1.1 200 OK", "the server answers others meanwhile"
    left = still_open(held)
    print(f"50 half-sent requests closed {time.time() - started:.1f} s after they were sent (timeout 2 s)")
    assert left == 0, f"{left} of 50 silent connections are still open"

    # A connection that sends nothing at all, and a kept-alive one that sends no next request, are closed too.
    silent = connect(short_server)
    kept = connect(short_server)
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert read_until_closed(silent) == b""
    assert read_until_closed(kept).startswith(b"HTTP/1.1 200 OK")
    for s in held + [silent, kept]:
        s.close()


def test_connections_over_the_per_address_cap_are_closed_while_others_are_served(data_dir):
    srv = Server(data_dir, env={"STARCON_MAX_CONNECTIONS_PER_ADDRESS": "5"}).start()
    try:
        held = [connect(srv) for _ in range(5)]
        time.sleep(0.5)
        held.append(connect(srv))
        # Which of the six is turned away depends on when the server saw the start-up health check's
        # connection end and on which event loop accepted first; exactly one of them is, at once.
        turned_away = closed_within(held, 10)
        assert len(turned_away) == 1, f"{len(turned_away)} of six connections from 127.0.0.1 were closed (cap 5)"
        held.remove(turned_away[0])
        turned_away[0].close()
        assert healthz(srv, source="127.0.0.2") == "HTTP/1.1 200 OK", "another address is served"
        held.pop().close()
        deadline = time.time() + 10
        status = healthz(srv)
        while status != "HTTP/1.1 200 OK" and time.time() < deadline:
            time.sleep(0.2)
            status = healthz(srv)
        assert status == "HTTP/1.1 200 OK", "a freed slot serves the address again"
        for s in held:
            s.close()
    finally:
        srv.stop()


def test_the_nntp_listener_shares_the_per_address_cap(data_dir):
    nntp_port = free_port()
    srv = Server(data_dir, env={"STARCON_MAX_CONNECTIONS_PER_ADDRESS": "3"}, extra=["--nntp-port", str(nntp_port)]).start()
    try:
        time.sleep(0.5)  # the start-up health check's connection is gone
        readers = [socket.create_connection(("127.0.0.1", nntp_port), timeout=10) for _ in range(3)]
        for r in readers:
            assert r.recv(100).startswith(b"20")
        extra = socket.create_connection(("127.0.0.1", nntp_port), timeout=10)
        assert read_until_closed(extra, 10) == b"", "the fourth connection from the address is closed unanswered"
        assert healthz(srv, source="127.0.0.2") == "HTTP/1.1 200 OK"
        for r in readers + [extra]:
            r.close()
    finally:
        srv.stop()


def low_descriptor_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


@pytest.mark.parametrize("cap", ["default", "above the descriptor limit"])
def test_out_of_file_descriptors_the_server_neither_spins_nor_stays_down(data_dir, cap):
    """More half-open connections than the process has descriptors. With the default cap (from the descriptor
    limit) the extras are closed at once; with a cap above the limit accept fails with EMFILE, and the
    listener pauses instead of retrying in a loop. Either way the CPU stays idle and /healthz comes back."""
    env = {"STARCON_MAX_CONNECTIONS_PER_ADDRESS": "100000"}
    if cap != "default":
        env["STARCON_MAX_CONNECTIONS"] = "100000"
    srv = Server(data_dir, env=env, extra=["--nntp-port", "0"], preexec=low_descriptor_limit).start()
    held = []
    try:
        for _ in range(450):
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=1)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                held.append(s)
            except OSError:
                break
        time.sleep(1)
        cpu_before, wall_before = cpu_seconds(srv.process.pid), time.time()
        time.sleep(5)
        ratio = (cpu_seconds(srv.process.pid) - cpu_before) / (time.time() - wall_before)
        print(f"{len(held)} connections held, server CPU {ratio:.2f} s per second while they were ({cap})")
        assert ratio < 0.3, f"the server burns CPU while out of descriptors: {ratio:.2f} s/s"
        for s in held:
            s.close()
        held = []
        deadline = time.time() + 30
        status = None
        while time.time() < deadline and status != "HTTP/1.1 200 OK":
            status = healthz(srv, timeout=3)
        assert status == "HTTP/1.1 200 OK", "/healthz answers again once the connections are gone"
        assert srv.process.poll() is None
    finally:
        for s in held:
            s.close()
        srv.stop()


# MARK: requests the parser cannot read


@pytest.mark.parametrize("raw, status", [
    (b"\x00\x01\x02\x03 garbage \xff\xfe\r\n\r\n", b"400"),
    (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", b"431"),
    (b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", b"400"),
], ids=["garbage", "unknown method", "100 KB header", "Content-Length with Transfer-Encoding"])
def test_unparseable_requests_get_an_error_and_the_connection_is_closed(server, raw, status):
    s = connect(server)
    try:
        s.sendall(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = read_until_closed(s, limit=10)
    s.close()
    assert answer is not None, "the connection is closed"
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:200]
    assert b"connection: close" in answer.lower()


# MARK: bodies over a route's limit


def post_declaring(server, path, length, content_type, headers=b""):
    """Declares a `length`-byte body, sends 1 KB of it, and returns what the server answered (or None)."""
    s = connect(server)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n".encode()
              + headers + b"\r\n" + b"x" * 1024)
    answer = read_until_closed(s, limit=10)
    s.close()
    return answer


@pytest.fixture
def member_token(server):
    assert server.cli("user", "add", "kim", stdin=PASSWORD + "\n").returncode == 0
    app = requests.post(server.url + "/api/v1/apps", data={
        "client_name": "limits", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}, timeout=10).json()
    return requests.post(server.url + "/oauth/token", data={
        "grant_type": "password", "username": "kim", "password": PASSWORD, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read write"}, timeout=30).json()["access_token"]


@pytest.mark.parametrize("path, content_type", [
    ("/api/v2/media", "multipart/form-data; boundary=b"),
    ("/api/v1/statuses", "application/json"),
])
def test_oversized_api_bodies_get_413_in_json_before_they_are_read(server, member_token, path, content_type):
    answer = post_declaring(server, path, 200_000_000, content_type, f"Authorization: Bearer {member_token}\r\n".encode())
    assert answer is not None, "answered and closed, not left waiting for 200 MB"
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'{"error":' in answer


@pytest.mark.parametrize("content_type, length", [
    ("multipart/form-data; boundary=b", 60_000_000),
    ("application/x-www-form-urlencoded", 100_000),
])
def test_oversized_forms_get_413_before_they_are_read(server, content_type, length):
    answer = post_declaring(server, "/login", length, content_type)
    assert answer is not None and answer.startswith(b"HTTP/1.1 413"), (answer or b"")[:200]


def test_parallel_hostile_form_posts_do_not_grow_the_server(server):
    """24 clients each post 60 MB of multipart to /login at once: the server's peak RSS grows by little."""
    requests.get(server.url + "/login", timeout=10)
    before = peak_rss_mb(server.process.pid)
    body = b"--b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n" + b"x" * 60_000_000 + b"\r\n--b--\r\n"

    def post():
        try:
            s = connect(server, timeout=30)
            s.sendall(f"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                      f"Transfer-Encoding: chunked\r\n\r\n".encode())
            for start in range(0, len(body), 1 << 20):
                chunk = body[start:start + (1 << 20)]
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            s.sendall(b"0\r\n\r\n")
            read_until_closed(s, 30)
            s.close()
        except OSError:
            pass  # the server closed the connection on an early answer

    threads = [threading.Thread(target=post) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    after = peak_rss_mb(server.process.pid)
    print(f"server peak RSS {before:.0f} MB before, {after:.0f} MB after 24 parallel 60 MB posts to /login")
    assert after - before < 200, f"peak RSS grew by {after - before:.0f} MB"
    assert healthz(server) == "HTTP/1.1 200 OK"


# MARK: who may read /metrics


def test_metrics_are_off_the_public_port_unless_asked_for(data_dir):
    metrics_port = free_port()
    srv = Server(data_dir, env={"STARCON_METRICS_TOKEN": "s3cret"}, extra=["--metrics-port", str(metrics_port)]).start()
    try:
        assert requests.get(srv.url + "/metrics", timeout=10).status_code == 401
        assert requests.get(srv.url + "/metrics", headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
        with_token = requests.get(srv.url + "/metrics", headers={"Authorization": "Bearer s3cret"}, timeout=10)
        assert with_token.status_code == 200 and "starcon_uptime_seconds" in with_token.text
        private = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10)
        assert private.status_code == 200 and "starcon_uptime_seconds" in private.text
    finally:
        srv.stop()


def test_metrics_are_not_served_by_default(server):
    assert requests.get(server.url + "/metrics", timeout=10).status_code == 404

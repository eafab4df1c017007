"""Password guessing against the running binary, on every surface that takes a password (the web sign-in
form, the OAuth password grant, NNTP AUTHINFO) and on both engines: wrong passwords sent all at once are
counted before they are checked, so no more than the limit (5 for one account from one address) are
verified and the right password sent after them is refused; another address or another account is not
locked out; X-Forwarded-For is believed only from a trusted proxy."""
import socket
import threading

import pytest
import requests

from conftest import PASSWORD, Server
from webclient import WebClient

LIMIT = 5  # LoginThrottle.perAccountAddress
PARALLEL = 40
ATTACKER = "203.0.113.7"
OWNER = "203.0.113.8"


@pytest.fixture(params=["sqlite", "postgres"])
def proxied(request, data_dir):
    """A server behind a trusted reverse proxy at 127.0.0.1 (STARCON_TRUSTED_PROXIES), with two members."""
    database = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    srv = Server(data_dir, database=database, env={"STARCON_TRUSTED_PROXIES": "127.0.0.1, ::1"})
    for name in ["minjun", "olga"]:
        assert srv.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    yield srv
    srv.stop()


def all_at_once(count, attempt):
    """Runs attempt(i) in `count` threads released together; returns the results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        barrier.wait()
        results[i] = attempt(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def forwarded(address):
    return {"X-Forwarded-For": f"198.18.0.1, {address}"}  # the left one is the client's own claim: ignored


# ------------------------------------------------------------------------------------------------ web form

def web_login(url, username, password, address=None):
    client = WebClient(url)
    if address:
        client.session.headers.update(forwarded(address))
    return client.post("/login", {"username": username, "password": password}, allow_redirects=False)


def test_parallel_wrong_passwords_on_the_web_form(proxied):
    # Each browser has its form (and CSRF token) ready, then all submit at once.
    clients = []
    for _ in range(PARALLEL):
        client = WebClient(proxied.url)
        client.session.headers.update(forwarded(ATTACKER))
        clients.append((client, client.csrf("/login")))
    statuses = all_at_once(PARALLEL, lambda i: clients[i][0].session.post(
        proxied.url + "/login", data={"username": "minjun", "password": f"guess {i}", "_csrf": clients[i][1]},
        allow_redirects=False, timeout=60).status_code)
    checked = statuses.count(401)
    assert checked <= LIMIT and statuses.count(429) == PARALLEL - checked, statuses
    refused = web_login(proxied.url, "minjun", PASSWORD, ATTACKER)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert web_login(proxied.url, "minjun", PASSWORD, OWNER).status_code == 303, "the owner elsewhere is locked out"
    assert web_login(proxied.url, "olga", PASSWORD, ATTACKER).status_code == 303, "another account is locked out"


# ------------------------------------------------------------------------------------ OAuth password grant

def app(url):
    return requests.post(url + "/api/v1/apps", data={"client_name": "guesser", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                      "scopes": "read"}, timeout=10).json()


def grant(url, application, username, password, address):
    return requests.post(url + "/oauth/token", data={
        "grant_type": "password", "client_id": application["client_id"], "client_secret": application["client_secret"],
        "username": username, "password": password, "scope": "read"}, headers=forwarded(address), timeout=60)


def test_parallel_wrong_passwords_on_the_password_grant(proxied):
    application = app(proxied.url)
    answers = all_at_once(PARALLEL, lambda i: grant(proxied.url, application, "minjun", f"guess {i}", ATTACKER))
    statuses = [answer.status_code for answer in answers]
    checked = statuses.count(400)
    assert checked <= LIMIT and statuses.count(429) == PARALLEL - checked, statuses
    assert all(answer.json()["error"] for answer in answers)
    refused = grant(proxied.url, application, "minjun", PASSWORD, ATTACKER)
    assert refused.status_code == 429 and "access_token" not in refused.json()
    assert grant(proxied.url, application, "minjun", PASSWORD, OWNER).json()["access_token"]
    assert grant(proxied.url, application, "olga", PASSWORD, ATTACKER).json()["access_token"]


def test_forwarded_for_is_ignored_from_an_untrusted_peer(data_dir):
    srv = Server(data_dir)
    assert srv.cli("user", "add", "minjun", stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    try:
        application = app(srv.url)
        for attempt in range(LIMIT):
            assert grant(srv.url, application, "minjun", "wrong", f"192.0.2.{attempt}").status_code == 400
        refused = grant(srv.url, application, "minjun", PASSWORD, "192.0.2.200")
        assert refused.status_code == 429, "a client chose its own address with X-Forwarded-For"
    finally:
        srv.stop()


# ------------------------------------------------------------------------------------------- NNTP AUTHINFO

@pytest.fixture(params=["sqlite", "postgres"])
def news(request, data_dir):
    database = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    srv = Server(data_dir, database=database)
    for name in ["minjun", "olga"]:
        assert srv.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    srv.nntp_port = int(srv.extra[srv.extra.index("--nntp-port") + 1])
    srv.start()
    yield srv
    srv.stop()


def authinfo(port, username, password, source="127.0.0.1", sockets=None):
    """(code, text) of AUTHINFO USER/PASS on a new connection from `source` (a loopback address)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))
    with sock, sock.makefile("rb") as lines:
        assert lines.readline().startswith(b"200")
        sock.sendall(f"AUTHINFO USER {username}\r\n".encode())
        assert lines.readline().startswith(b"381")
        if sockets is not None:  # wait until every connection is at this point
            sockets.wait()
        sock.sendall(f"AUTHINFO PASS {password}\r\n".encode())
        code, _, text = lines.readline().decode().strip().partition(" ")
        return int(code), text


def test_parallel_wrong_passwords_over_nntp_authinfo(news):
    count = 60
    ready = threading.Barrier(count)
    replies = all_at_once(count, lambda i: authinfo(news.nntp_port, "minjun", f"guess {i}", sockets=ready))
    checked = [reply for reply in replies if reply == (481, "Authentication failed")]
    throttled = [reply for reply in replies if "try again later" in reply[1]]
    assert len(checked) <= LIMIT and len(checked) + len(throttled) == count, replies
    code, text = authinfo(news.nntp_port, "minjun", PASSWORD)
    assert code == 481 and "try again later" in text
    assert authinfo(news.nntp_port, "minjun", PASSWORD, source="127.0.0.2")[0] == 281, "the owner elsewhere is locked out"
    assert authinfo(news.nntp_port, "olga", PASSWORD)[0] == 281, "another account is locked out"

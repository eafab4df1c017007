"""Several `starcon serve` nodes on one PostgreSQL: the event log reaches every node (messenger WebSocket,
Mastodon streaming, NNTP), a suspension made from the command line ends a member's connections on both
nodes, a node killed in the middle of a stream of sends loses nothing and a client resumes on the other node
exactly where it was, PostgreSQL restarted under running nodes loses no event, and each job runs on one node
at a time and is taken over when that node dies."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import PASSWORD, Server, free_port
from webclient import WebClient

MEMBERS = ["kim", "lee", "park"]
# Cross-node delivery is event-driven (LISTEN/NOTIFY): a generous bound that only a polling fallback would miss.
LIVE = 5


def app_tokens(base, names):
    app = requests.post(base + "/api/v1/apps", data={"client_name": "nodes e2e", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                      "scopes": "read write follow"}, timeout=10).json()
    tokens = {}
    for name in names:
        tokens[name] = requests.post(base + "/oauth/token", data={
            "grant_type": "password", "username": name, "password": PASSWORD, "client_id": app["client_id"],
            "client_secret": app["client_secret"], "scope": "read write follow"}, timeout=30).json()["access_token"]
    return tokens


def api(base, token, method, path, expect=200, **kwargs):
    response = requests.request(method, base + path, headers={"Authorization": f"Bearer {token}"}, timeout=15, **kwargs)
    assert response.status_code == expect, (method, path, response.status_code, response.text[:300])
    return response.json()


class Nodes:
    """Two nodes on one fresh PostgreSQL database, each with its own data directory and ports."""

    def __init__(self, tmp_path, database, env=None):
        self.database = database
        self.env = env or {}
        self.nodes = []
        for n in (1, 2):
            directory = tmp_path / f"node{n}"
            directory.mkdir()
            self.nodes.append(Server(str(directory), database=database, env=self.env))
        for name in MEMBERS:
            result = self.nodes[0].cli("user", "add", name, stdin=PASSWORD + "\n")
            assert result.returncode == 0, result.stderr
        for node in self.nodes:
            node.start()
        self.tokens = app_tokens(self.nodes[0].url, MEMBERS)

    def stop(self):
        for node in self.nodes:
            node.stop()


@pytest.fixture
def nodes(tmp_path, pg_database):
    pair = Nodes(tmp_path, pg_database)
    yield pair
    pair.stop()


def messenger_stream(base, token, **query):
    url = base.replace("http://", "ws://") + "/api/starcon/v1/stream?access_token=" + token
    for key, value in query.items():
        url += f"&{key}={value}"
    ws = connect(url, open_timeout=10, close_timeout=5)
    replay = []
    while True:
        frame = json.loads(ws.recv(timeout=15))
        if frame["event"] == "ready":
            return ws, replay, frame["payload"]
        replay.append(frame["payload"])


def next_event(ws, event, timeout=LIVE):
    deadline = time.time() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.time())))
        if frame["event"] == event:
            return frame["payload"]


def closed_code(ws, timeout=LIVE):
    try:
        while True:
            ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return "still open"


class NNTP:
    """A raw NNTP reader session (nntplib hides the unsolicited 400 a server may send at any time)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")
        assert self.line().startswith("200")

    def line(self):
        return self.file.readline().decode().rstrip("\r\n")

    def command(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.line()

    def sign_in(self, user):
        assert self.command(f"AUTHINFO USER {user}").startswith("381")
        assert self.command(f"AUTHINFO PASS {PASSWORD}").startswith("281")

    def until_closed(self, timeout=LIVE):
        """The lines the server sends until it closes the connection."""
        self.sock.settimeout(timeout)
        lines = []
        try:
            while True:
                line = self.file.readline()
                if not line:
                    return lines
                lines.append(line.decode().rstrip("\r\n"))
        except (TimeoutError, socket.timeout):
            lines.append("still open")
            return lines


def nntp_port(node):
    return int(node.extra[node.extra.index("--nntp-port") + 1])


def test_events_reach_the_other_node_and_a_cli_suspension_ends_both(nodes):
    one, two = nodes.nodes
    kim, lee = nodes.tokens["kim"], nodes.tokens["lee"]
    kim_id = api(one.url, kim, "GET", "/api/v1/accounts/verify_credentials")["id"]
    api(one.url, lee, "POST", f"/api/v1/accounts/{kim_id}/follow")
    cid = api(one.url, kim, "POST", "/api/starcon/v1/conversations", json={"members": ["lee"]})["id"]

    lee_on_two, _, _ = messenger_stream(two.url, lee)
    lee_on_one, _, _ = messenger_stream(one.url, lee)
    mastodon = connect(two.url.replace("http://", "ws://") + f"/api/v1/streaming?access_token={lee}&stream=user",
                       open_timeout=10, close_timeout=5)
    reader = NNTP(nntp_port(two))
    reader.sign_in("lee")
    assert reader.command("LIST").startswith("215")
    while reader.line() != ".":
        pass

    started = time.time()
    sent = api(one.url, kim, "POST", f"/api/starcon/v1/conversations/{cid}/messages", json={"text": "다른 노드로 안녕"})
    got = next_event(lee_on_two, "message")
    latency = time.time() - started
    assert got["id"] == sent["id"] and got["seq"] == sent["seq"] and got["text"] == "다른 노드로 안녕"
    print(f"cross-node message delivery: {latency * 1000:.0f} ms")

    status = api(one.url, kim, "POST", "/api/v1/statuses", data={"status": "node one says hello #starcon"})
    while True:
        frame = json.loads(mastodon.recv(timeout=LIVE))
        if frame["event"] == "update":
            assert json.loads(frame["payload"])["id"] == status["id"]
            break

    # A third process (the command line) suspends lee: every connection of lee's on both nodes ends.
    result = one.cli("user", "suspend", "lee", "--reason", "two-node test")
    assert result.returncode == 0, result.stderr
    assert closed_code(lee_on_two) == 1008
    assert closed_code(lee_on_one) == 1008
    assert closed_code(mastodon) == 1008
    lines = reader.until_closed()
    assert lines and lines[0].startswith("400") and lines[-1] != "still open", lines
    # Others are untouched: kim's stream on node two still gets kim's own traffic.
    kim_on_two, _, _ = messenger_stream(two.url, kim)
    api(one.url, kim, "POST", f"/api/starcon/v1/conversations/{cid}/messages", json={"text": "still here"})
    assert next_event(kim_on_two, "message")["text"] == "still here"
    kim_on_two.close()


def test_a_password_change_ends_the_members_nntp_session_on_every_node(nodes):
    one, two = nodes.nodes
    sessions = [NNTP(nntp_port(node)) for node in (one, two)]
    for session in sessions:
        session.sign_in("park")
    # The web's password form on node one.
    web = WebClient(one.url)
    web.login("park")
    response = web.post("/settings/password", {"current_password": PASSWORD, "new_password": "another horse battery",
                                               "new_password_confirm": "another horse battery"})
    assert response.status_code == 200, response.status_code
    for session in sessions:
        lines = session.until_closed()
        assert lines and lines[0].startswith("400") and lines[-1] != "still open", lines


def test_a_killed_node_loses_no_message_and_a_client_resumes_on_the_other(nodes):
    one, two = nodes.nodes
    kim, park, lee = nodes.tokens["kim"], nodes.tokens["park"], nodes.tokens["lee"]
    cid = api(one.url, kim, "POST", "/api/starcon/v1/conversations", json={"members": ["lee", "park"], "title": "t", "group": True})["id"]
    stream, _, _ = messenger_stream(two.url, lee)
    acknowledged = {"one": [], "two": []}
    stop = threading.Event()

    def sender(base, token, key):
        n = 0
        while not stop.is_set():
            try:
                message = api(base, token, "POST", f"/api/starcon/v1/conversations/{cid}/messages",
                              json={"text": f"{key}{n}", "client_key": f"{key}{n}"})
                acknowledged[key].append(message["id"])
            except Exception:
                if key == "one":
                    return
            n += 1

    # Both nodes take sends into one conversation at the same time; node one is then killed mid-stream.
    threads = [threading.Thread(target=sender, args=(one.url, kim, "one")), threading.Thread(target=sender, args=(two.url, park, "two"))]
    for thread in threads:
        thread.start()
    seen = []
    while len(seen) < 30:
        seen.append(next_event(stream, "message"))
    one.process.send_signal(signal.SIGKILL)
    one.process.wait()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    stream.close()
    assert len(acknowledged["one"]) >= 5 and len(acknowledged["two"]) >= 5

    stored = []
    before = None
    while True:
        page = api(two.url, lee, "GET", f"/api/starcon/v1/conversations/{cid}/messages?limit=200" + (f"&before={before}" if before else ""))
        if not page:
            break
        stored += page
        before = page[-1]["id"]
    stored_ids = [m["id"] for m in stored]
    assert len(stored_ids) == len(set(stored_ids)), "every message once"
    assert set(acknowledged["one"]) | set(acknowledged["two"]) <= set(stored_ids), "every acknowledged message is there"
    seqs = [int(m["seq"]) for m in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "the live stream is in log order"

    resumed, replay, ready = messenger_stream(two.url, lee, last_seq=seen[-1]["seq"])
    in_log_order = sorted(stored, key=lambda m: int(m["seq"]))
    expected = [m["id"] for m in in_log_order if int(m["seq"]) > int(seen[-1]["seq"])]
    assert [m["id"] for m in replay] == expected, "the client gets exactly what it missed, in order"
    assert [m["id"] for m in seen] == [m["id"] for m in in_log_order][:len(seen)] or set(m["id"] for m in seen) <= set(stored_ids)
    resumed.close()
    # Resuming by message id (the older form) gives the same.
    again, replay, _ = messenger_stream(two.url, lee, last_id=seen[-1]["id"])
    assert [m["id"] for m in replay] == expected
    again.close()


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own: the test restarts it, and other tests (in parallel workers)
    keep using the suite's server meanwhile."""
    directory = tempfile.mkdtemp(prefix="starcon-pg-own-")
    os.chmod(directory, 0o755)
    script = os.path.join(os.path.dirname(__file__), "../../scripts/postgres.sh")
    started = subprocess.run([script, "start", directory, str(free_port())], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    yield directory, started.stdout.strip().splitlines()[-1]
    subprocess.run([script, "stop", directory], capture_output=True, timeout=60)
    shutil.rmtree(directory, ignore_errors=True)


def restart_postgres(directory):
    bin_dir = sorted(d for d in os.listdir("/usr/lib/postgresql"))[-1]
    # -l: the restarted server writes to its log, not to the pipe this test reads until it closes.
    command = [f"/usr/lib/postgresql/{bin_dir}/bin/pg_ctl", "-D", os.path.join(directory, "data"), "-l",
               os.path.join(directory, "server.log"), "restart", "-m", "fast", "-w", "-t", "60"]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    subprocess.run(command, check=True, capture_output=True, timeout=90)


@pytest.fixture
def nodes_on_own_postgres(tmp_path, own_postgres):
    pair = Nodes(tmp_path, own_postgres[1])
    yield pair
    pair.stop()


def test_postgres_restarted_under_running_nodes_loses_no_event(own_postgres, nodes_on_own_postgres):
    directory, nodes = own_postgres[0], nodes_on_own_postgres
    one, two = nodes.nodes
    kim, lee = nodes.tokens["kim"], nodes.tokens["lee"]
    cid = api(one.url, kim, "POST", "/api/starcon/v1/conversations", json={"members": ["lee"]})["id"]
    stream, _, _ = messenger_stream(two.url, lee)
    before = api(one.url, kim, "POST", f"/api/starcon/v1/conversations/{cid}/messages", json={"text": "before"})
    assert next_event(stream, "message")["id"] == before["id"]
    restart_postgres(directory)
    # Both nodes answer again by themselves (their pools and node two's listener reconnect).
    deadline = time.time() + 30
    for node in (one, two):
        while requests.get(node.url + "/healthz", timeout=5).status_code != 200:
            assert time.time() < deadline, "a node did not recover"
            time.sleep(0.2)
    sent = []
    deadline = time.time() + 30
    while len(sent) < 5:
        try:
            sent.append(api(one.url, kim, "POST", f"/api/starcon/v1/conversations/{cid}/messages", json={"text": f"after {len(sent)}",
                                                                                                          "client_key": f"after{len(sent)}"})["id"])
        except AssertionError:
            assert time.time() < deadline
            time.sleep(0.2)
    got = [next_event(stream, "message", timeout=15)["id"] for _ in sent]
    assert got == sent, "every event after the restart reached the other node, in order"
    stream.close()


def jobs(node):
    result = node.cli("jobs")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    header = lines[0].split("\t")
    return {row[0]: dict(zip(header, row)) for row in (line.split("\t") for line in lines[1:])}


def test_each_job_runs_on_one_node_and_a_dead_nodes_jobs_go_on(tmp_path, pg_database):
    pair = Nodes(tmp_path, pg_database, env={"STARCON_MAINTENANCE_SECONDS": "1", "STARCON_JOB_LEASE_SECONDS": "2"})
    try:
        one, two = pair.nodes
        time.sleep(1.5)
        first = int(jobs(one)["feed.trim_home"]["RUNS"])
        time.sleep(4)
        second = jobs(one)["feed.trim_home"]
        ran = int(second["RUNS"]) - first
        assert 2 <= ran <= 6, f"once a second across both nodes, not once per node ({ran} in 4 s)"
        # Kill whichever node ran it last; the other takes over.
        victim = one if f":{one.process.pid}:" in second["LAST_NODE"] else two
        survivor = two if victim is one else one
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        time.sleep(4)
        after = jobs(survivor)["feed.trim_home"]
        assert f":{survivor.process.pid}:" in after["LAST_NODE"], after
        assert int(after["RUNS"]) > int(second["RUNS"])
    finally:
        pair.stop()

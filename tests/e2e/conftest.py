"""Fixtures that run the real `starcon` binary: a server on a free port with its own data directory,
the command line, and the throwaway PostgreSQL the test script started."""
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

BIN = os.environ.get("STARCON_BIN", os.path.join(os.path.dirname(__file__), "../../.build/debug/starcon"))
PG_ADMIN_URL = os.environ.get("STARCON_TEST_POSTGRES_URL")
PASSWORD = "correct horse battery"


_PORTS_GIVEN = set()
# With pytest-xdist each worker takes only the ports whose remainder is its own number, so two workers never
# hand out the same port between a probe and the server's bind.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
_WORKER_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)


def free_port():
    """A port nobody listens on, and never one this run already handed out: the kernel may offer a port again
    as soon as the probe socket closes, and a server's HTTP and NNTP ports are picked one after the other
    (once both came back as the same port, and the server could not start)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port % _WORKERS == _WORKER_INDEX and port not in _PORTS_GIVEN:
            _PORTS_GIVEN.add(port)
            return port


def run_cli(*args, data=None, database=None, stdin=None, env=None, timeout=60):
    command = [BIN, *args]
    if data:
        command += ["--data", data]
    if database:
        command += ["--database", database]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STARCON_")}
    full_env.update(env or {})
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout, env=full_env)


class Server:
    """A running `starcon serve` with its output captured to files."""

    def __init__(self, data, database=None, extra=(), env=None, preexec=None):
        self.data = data
        self.preexec = preexec
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra = list(extra)
        if "--nntp-port" not in self.extra:
            # Every server gets its own NNTP port, so tests never collide with another server on 1119.
            self.extra += ["--nntp-port", str(free_port())]
        if "--smtp-port" not in self.extra:
            # And its own SMTP port (the default, 2525, would be shared by every server of a run).
            self.smtp_port = free_port()
            self.extra += ["--smtp-port", str(self.smtp_port)]
        else:
            self.smtp_port = int(self.extra[self.extra.index("--smtp-port") + 1])
        if "--imap-port" not in self.extra:
            # The same for IMAP (default 1143).
            self.extra += ["--imap-port", str(free_port())]
        self.env = env or {}
        self.process = None
        self.setup_url = None

    def start(self):
        self.out = open(os.path.join(self.data, f"serve-{uuid.uuid4().hex[:6]}.out"), "w+")
        self.err_path = os.path.join(self.data, f"serve-{uuid.uuid4().hex[:6]}.err")
        self.err = open(self.err_path, "w+")
        command = [BIN, "serve", "--data", self.data, "--http-port", str(self.port), *self.extra]
        if self.database:
            command += ["--database", self.database]
        env = {k: v for k, v in os.environ.items() if not k.startswith("STARCON_")}
        env.update(self.env)
        self.process = subprocess.Popen(command, stdout=self.out, stderr=self.err, env=env, preexec_fn=self.preexec)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.stderr()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not start: " + self.stderr())
        for _ in range(50):
            match = re.search(r"(http://\S+/setup/\S+)", self.stdout())
            if match or "Starcon is running" in self.stdout():
                break
            time.sleep(0.1)
        match = re.search(r"(http://\S+/setup/\S+)", self.stdout())
        self.setup_url = match.group(1) if match else None
        return self

    def stdout(self):
        self.out.flush()
        with open(self.out.name) as f:
            return f.read()

    def stderr(self):
        self.err.flush()
        with open(self.err_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def cli(self, *args, stdin=None, env=None):
        return run_cli(*args, data=self.data, database=self.database, stdin=stdin, env=env)


@pytest.fixture
def data_dir():
    with tempfile.TemporaryDirectory(prefix="starcon-e2e-") as directory:
        yield directory


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database URL, dropped afterwards."""
    if not PG_ADMIN_URL:
        pytest.fail("STARCON_TEST_POSTGRES_URL is not set: run the tests through scripts/test")
    name = "e2e_" + uuid.uuid4().hex[:12]
    psql(f"CREATE DATABASE {name}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def psql(sql, url=None):
    subprocess.run(["psql", url or PG_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


@pytest.fixture
def server(data_dir):
    srv = Server(data_dir).start()
    yield srv
    srv.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def any_server(request, data_dir):
    """The same test on the embedded default and on PostgreSQL."""
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("pg_database")
    srv = Server(data_dir, database=database).start()
    yield srv
    srv.stop()

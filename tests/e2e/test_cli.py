"""The command line: subcommands, exit codes, environment variables, bad configuration, and commands run
beside a running server."""
import os
import signal
import socket
import time

import pytest

from conftest import PASSWORD, Server, free_port, run_cli
from webclient import WebClient


@pytest.mark.parametrize("args", [[], ["serve"], ["migrate"], ["user"], ["user", "add"], ["user", "list"],
                                  ["user", "suspend"], ["invite"], ["invite", "create"]])
def test_every_subcommand_has_help(args):
    result = run_cli(*args, "--help")
    assert result.returncode == 0, result.stderr
    assert "USAGE" in result.stdout.upper()


def test_bad_usage_exits_2_with_one_line():
    result = run_cli("serve", "--http-port", "not-a-number")
    assert result.returncode == 2
    result = run_cli("frobnicate")
    assert result.returncode == 2


@pytest.mark.parametrize("database,needle", [
    ("mysql://localhost/db", "unknown database scheme"),
    ("postgres://u:p@127.0.0.1:9/db", "cannot reach PostgreSQL"),
])
def test_bad_database_exits_2_with_one_clear_line(data_dir, database, needle):
    result = run_cli("serve", "--http-port", str(free_port()), data=data_dir, database=database)
    assert result.returncode == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "p@" not in result.stderr  # the password is not echoed


def test_unwritable_data_directory_exits_2(data_dir):
    blocker = os.path.join(data_dir, "a-file")
    open(blocker, "w").close()
    result = run_cli("migrate", data=os.path.join(blocker, "sub"))
    assert result.returncode == 2
    assert "data directory" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_port_in_use_exits_2(data_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--http-port", str(port), data=data_dir, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "already in use" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("starcon:")


def test_migrate_is_idempotent(data_dir):
    first = run_cli("migrate", data=data_dir)
    second = run_cli("migrate", data=data_dir)
    assert first.returncode == 0 and second.returncode == 0
    assert "up to date" in second.stdout


def test_migrate_on_postgres_twice_at_once(pg_database):
    import subprocess
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARCON_")}
    procs = [subprocess.Popen([os.environ.get("STARCON_BIN"), "migrate", "--database", pg_database],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    results = [p.communicate(timeout=60) + (p.returncode,) for p in procs]
    assert all(code == 0 for _, _, code in results), results


def test_user_add_reads_the_password_from_stdin_and_never_a_flag(data_dir):
    result = run_cli("user", "add", "kim", "--role", "admin", "--kind", "official", data=data_dir, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    listing = run_cli("user", "list", data=data_dir)
    assert "kim\tadmin\tofficial\tactive" in listing.stdout
    assert run_cli("user", "add", "nopass", data=data_dir, stdin="").returncode == 2
    assert run_cli("user", "add", "short", data=data_dir, stdin="short\n").returncode == 2
    taken = run_cli("user", "add", "KIM", data=data_dir, stdin=PASSWORD + "\n")
    assert taken.returncode == 1 and "taken" in taken.stderr
    assert run_cli("user", "add", "x", "--password", "secret", data=data_dir).returncode == 2
    assert run_cli("user", "add", "x", "--kind", "alien", data=data_dir, stdin=PASSWORD).returncode == 2


def test_environment_variables_configure_every_flag(data_dir):
    env = {"STARCON_DATA": data_dir}
    assert run_cli("user", "add", "envuser", stdin=PASSWORD, env=env).returncode == 0
    assert "envuser" in run_cli("user", "list", env=env).stdout
    assert "envuser" in run_cli("user", "list", env={"STARCON_DATABASE": f"sqlite:{data_dir}/starcon.sqlite"}).stdout
    port = free_port()
    # Started by hand (not through Server, which passes --http-port) to show the variables alone suffice.
    import subprocess
    env_all = {k: v for k, v in os.environ.items() if not k.startswith("STARCON_")}
    env_all.update({"STARCON_DATA": data_dir, "STARCON_HTTP_PORT": str(port), "STARCON_DOMAIN": "ship.example",
                    "STARCON_SMTP_PORT": str(free_port())})
    process = subprocess.Popen([os.environ.get("STARCON_BIN"), "serve"], env=env_all,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import requests
        for _ in range(100):
            try:
                page = requests.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.1)
        assert "ship.example" in page.text
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0


def test_commands_work_while_the_server_runs(any_server):
    migrated = any_server.cli("migrate")
    assert migrated.returncode == 0 and "up to date" in migrated.stdout, migrated.stderr
    assert any_server.cli("user", "add", "live", stdin=PASSWORD).returncode == 0
    invite = any_server.cli("invite", "create", "--uses", "3", "--expires", "2")
    assert invite.returncode == 0, invite.stderr
    link = invite.stdout.strip()
    assert link.startswith(any_server.url + "/invite/")
    client = WebClient(any_server.url)
    client.login("live")
    assert "live" in any_server.cli("user", "list").stdout
    newcomer = WebClient(any_server.url)
    assert newcomer.register(link, "newbie", "New Member").status_code == 200
    suspended = any_server.cli("user", "suspend", "newbie", "--reason", "testing")
    assert suspended.returncode == 0, suspended.stderr
    assert newcomer.get("/settings").url.endswith("/login?next=/settings")
    assert run_cli("invite", "create", "--uses", "0", data=any_server.data, database=any_server.database).returncode == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_the_server_cleanly_within_10_seconds(data_dir, sig):
    srv = Server(data_dir).start()
    started = time.time()
    code = srv.stop(sig, timeout=12)
    assert code == 0, srv.stderr()
    assert time.time() - started < 10


def test_serve_prints_its_url_and_a_setup_link(server):
    assert f"Starcon is running at {server.url}" in server.stdout()
    assert server.setup_url and server.setup_url.startswith(server.url + "/setup/")


def test_stop_with_open_newsreader_connections_is_quick(data_dir):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import nntplib
    nntp_port = free_port()
    srv = Server(data_dir, extra=["--nntp-port", str(nntp_port)]).start()
    readers = [nntplib.NNTP("127.0.0.1", nntp_port) for _ in range(3)]
    started = time.time()
    assert srv.stop(signal.SIGTERM, timeout=12) == 0, srv.stderr()
    assert time.time() - started < 10
    for reader in readers:
        reader.sock.close()

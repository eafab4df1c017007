"""Nothing a member was told was saved is lost when the server is killed (SIGKILL, no shutdown)."""
import io
import signal
import warnings

import pytest

from conftest import PASSWORD, Server, free_port
from webclient import WebClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_acknowledged_articles_and_accounts_survive_a_kill(request, data_dir, engine):
    database = request.getfixturevalue("pg_database") if engine == "postgres" else None
    nntp_port = free_port()
    srv = Server(data_dir, database=database, extra=["--nntp-port", str(nntp_port)])
    srv.cli("group", "create", "starcon.general")
    srv.cli("user", "add", "kim", stdin=PASSWORD)
    srv.start()
    acknowledged = []
    reader = nntplib.NNTP("127.0.0.1", nntp_port)
    reader.login("kim", PASSWORD)
    for index in range(20):
        response = reader.post(io.BytesIO(f"Newsgroups: starcon.general\r\nSubject: n{index}\r\n\r\nbody {index}\r\n".encode()))
        acknowledged.append(response.split()[-1])
    web = WebClient(srv.url)
    web.setup_admin(srv.setup_url, username="founder")
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait()

    srv = Server(data_dir, database=database, extra=["--nntp-port", str(nntp_port)]).start()
    try:
        reader = nntplib.NNTP("127.0.0.1", nntp_port)
        reader.login("kim", PASSWORD)
        for message_id in acknowledged:
            reader.stat(message_id)
        _, count, _, last, _ = reader.group("starcon.general")
        assert count == 20 and last == 20
        reader.quit()
        WebClient(srv.url).login("founder")
        assert srv.setup_url is None  # the admin created before the kill is still there
    finally:
        srv.stop()

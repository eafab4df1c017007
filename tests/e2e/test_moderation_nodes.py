"""Timed suspensions and visitor passes on two `starcon serve` nodes over one PostgreSQL: a suspension with
--days made from the command line ends the member's WebSocket and NNTP session on both nodes and their API
token, and its end (the `accounts.end_suspensions` job, on whichever node claims it) lets them back in; an
expired pass suspends the visitor and ends their connections everywhere too."""
import time

import pytest
import requests

from conftest import PASSWORD, psql
from test_nodes import NNTP, Nodes, app_tokens, closed_code, messenger_stream, nntp_port


@pytest.fixture
def nodes(tmp_path, pg_database):
    pair = Nodes(tmp_path, pg_database, env={"STARCON_MODERATION_JOB_SECONDS": "1"})
    yield pair
    pair.stop()


def status_of(node, name):
    for line in node.cli("user", "list").stdout.splitlines():
        fields = line.split("\t")
        if fields[0] == name:
            return fields[3]
    return None


def wait_for(predicate, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline and not predicate():
        time.sleep(0.3)
    return predicate()


def test_a_timed_suspension_ends_everywhere_and_ends_by_itself_on_any_node(nodes):
    one, two = nodes.nodes
    lee = nodes.tokens["lee"]
    stream, _, _ = messenger_stream(two.url, lee)
    reader = NNTP(nntp_port(one))
    reader.sign_in("lee")
    result = one.cli("user", "suspend", "lee", "--reason", "cool off", "--days", "1")
    assert result.returncode == 0, result.stderr
    assert closed_code(stream) == 1008
    lines = reader.until_closed()
    assert lines and lines[0].startswith("400") and lines[-1] != "still open", lines
    verify = requests.get(one.url + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {lee}"}, timeout=10)
    assert verify.status_code == 401
    # A day later (moved in the store), one of the nodes lifts it.
    time.sleep(2)
    assert status_of(one, "lee") == "suspended"
    psql("UPDATE accounts SET suspended_until = 1 WHERE username = 'lee'", url=nodes.database)
    assert wait_for(lambda: status_of(one, "lee") == "active")
    again = NNTP(nntp_port(two))
    again.sign_in("lee")
    assert app_tokens(two.url, ["lee"])["lee"]
    jobs = one.cli("jobs").stdout
    assert "accounts.end_suspensions" in jobs


def test_an_expired_pass_suspends_the_visitor_on_every_node(nodes):
    one, two = nodes.nodes
    result = one.cli("user", "add", "guest", "--kind", "visitor", "--expires", "10", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    guest = app_tokens(one.url, ["guest"])["guest"]
    stream, _, _ = messenger_stream(two.url, guest)
    psql("UPDATE accounts SET expires_at = 1 WHERE username = 'guest'", url=nodes.database)
    assert closed_code(stream, timeout=20) == 1008
    assert wait_for(lambda: status_of(two, "guest") == "suspended")
    assert requests.get(two.url + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {guest}"},
                        timeout=10).status_code == 401
    assert one.cli("user", "expire", "guest", "--days", "30").returncode == 0
    assert status_of(one, "guest") == "active"

"""CONDSTORE (RFC 7162) against the running binary with Python's imaplib: HIGHESTMODSEQ on SELECT (after ENABLE or
with SELECT's CONDSTORE parameter), FETCH MODSEQ, CHANGEDSINCE, STORE UNCHANGEDSINCE with MODIFIED, SEARCH MODSEQ,
STATUS HIGHESTMODSEQ, and bad modifiers refused with BAD, changing nothing; on SQLite and PostgreSQL."""
import re

import imaplib
import pytest

from conftest import Server
from test_imap import add_member, connect, message


@pytest.fixture(params=["sqlite", "postgres"])
def mail_server(request, data_dir):
    """On both engines: modseqs and UNCHANGEDSINCE are the store's, checked in its transaction."""
    database = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    srv = Server(data_dir, database=database)
    add_member(srv, "kim")
    srv.start()
    yield srv
    srv.stop()


def modseqs(data):
    """{sequence number: modseq} from FETCH responses."""
    found = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if line is None:
            continue
        match = re.match(rb"(\d+) \(.*MODSEQ \((\d+)\)", line)
        if match:
            found[int(match.group(1))] = int(match.group(2))
    return found


def select_condstore(client, mailbox="INBOX"):
    typ, data = client._simple_command("SELECT", f"{mailbox} (CONDSTORE)")
    assert typ == "OK", data
    client.state = "SELECTED"
    return int(client.untagged_responses.pop("HIGHESTMODSEQ")[-1])


def test_condstore_modseqs_changedsince_and_unchangedsince(mail_server):
    client = connect(mail_server, "kim")
    assert "CONDSTORE" in client.capabilities
    for n in range(3):
        assert client.append("INBOX", None, None, message(f"condstore {n}"))[0] == "OK"
    highest = select_condstore(client)
    typ, data = client.fetch("1:*", "(MODSEQ)")
    assert typ == "OK"
    before = modseqs(data)
    assert sorted(before) == [1, 2, 3] and max(before.values()) == highest

    # A change gives the message a modseq above every earlier one, and says it.
    typ, data = client.store("2", "+FLAGS", "(\\Flagged)")
    assert typ == "OK"
    changed = modseqs(data)
    assert list(changed) == [2] and changed[2] > highest

    # CHANGEDSINCE: only what changed after the given modseq (and MODSEQ without asking).
    typ, data = client.fetch("1:*", f"(FLAGS) (CHANGEDSINCE {highest})")
    assert typ == "OK" and list(modseqs(data)) == [2], data
    client.noop()  # the session may repeat its own STORE as an update first; that is not the answer
    client.untagged_responses.pop("FETCH", None)
    typ, data = client.uid("FETCH", "1:*", f"(FLAGS) (CHANGEDSINCE {changed[2]})")
    assert typ == "OK" and [d for d in data if d] == [], data

    # UNCHANGEDSINCE: message 2 changed after `highest`, so it is left alone and named in MODIFIED.
    # (imaplib's store() drops the tagged text, where MODIFIED is.)
    typ, data = client._simple_command("STORE", "1:3", f"(UNCHANGEDSINCE {highest}) +FLAGS", "(\\Seen)")
    assert typ == "OK" and b"[MODIFIED 2]" in data[-1], data
    assert sorted(modseqs(client.untagged_responses.pop("FETCH"))) == [1, 3]
    typ, data = client.fetch("2", "(FLAGS)")
    assert b"\\Seen" not in data[0], data
    # UNCHANGEDSINCE 0 always fails (RFC 7162 §3.2).
    typ, data = client._simple_command("UID", "STORE", "1:*", "(UNCHANGEDSINCE 0) +FLAGS", "(\\Answered)")
    assert typ == "OK" and b"[MODIFIED 1:3]" in data[-1], data

    # SEARCH MODSEQ: messages changed at or after it, with the highest modseq among them.
    typ, data = client.search(None, "MODSEQ", str(changed[2] + 1))
    assert typ == "OK"
    words = data[0].split()
    assert b"(MODSEQ" in data[0] and set(words[:-2]) == {b"1", b"3"}, data

    typ, data = client.status("INBOX", "(HIGHESTMODSEQ MESSAGES)")
    assert typ == "OK" and b"MESSAGES 3" in data[0]
    status_highest = int(re.search(rb"HIGHESTMODSEQ (\d+)", data[0]).group(1))
    assert status_highest > changed[2]
    client.logout()


def test_enable_condstore_then_select_says_highestmodseq(mail_server):
    client = connect(mail_server, "kim")
    client.append("INBOX", None, None, message("enabled"))
    typ, data = client.enable("CONDSTORE")
    assert typ == "OK" and client.untagged_responses.get("ENABLED") == [b"CONDSTORE"]
    typ, _ = client.select("INBOX")
    assert typ == "OK" and int(client.untagged_responses["HIGHESTMODSEQ"][-1]) > 0
    # Another connection changes a flag: the update this one hears carries the new MODSEQ.
    other = connect(mail_server, "kim")
    other.select("INBOX")
    other.store("1", "+FLAGS", "(\\Flagged)")
    other.logout()
    typ, data = client.noop()
    fetched = client.untagged_responses.get("FETCH", [])
    assert any(b"MODSEQ (" in line for line in fetched), fetched
    client.logout()


def test_bad_modifiers_are_refused_and_change_nothing(mail_server):
    client = connect(mail_server, "kim")
    client.append("INBOX", None, None, message("bad modifiers"))
    select_condstore(client)
    for command, args in [
        ("FETCH", ("1", "(FLAGS) (CHANGEDSINCE x)")),
        ("FETCH", ("1", "(FLAGS) (SINCEWHEN 4)")),
        ("FETCH", ("1", "(FLAGS) (CHANGEDSINCE 99999999999999999999)")),
        ("STORE", ("1", "(UNCHANGEDSINCE -1) +FLAGS", "(\\Deleted)")),
        ("STORE", ("1", "(NOSUCH 1) +FLAGS", "(\\Deleted)")),
        ("SEARCH", (None, "MODSEQ", "x")),
        ("SELECT", ("INBOX (NOTAPARAM)",)),
    ]:
        try:
            if command == "SELECT":
                typ, data = client._simple_command("SELECT", *args)
            else:
                typ, data = getattr(client, command.lower())(*args)
        except imaplib.IMAP4.error as error:
            assert "BAD" in str(error) or "bad" in str(error), error
        else:
            assert typ == "BAD", (command, args, typ, data)
    client.state = "SELECTED"
    typ, data = client.fetch("1", "(FLAGS)")
    assert typ == "OK" and b"\\Deleted" not in data[0]
    client.logout()

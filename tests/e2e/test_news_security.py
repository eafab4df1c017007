"""Findings of the attack on the newsgroups, against the running binary with real NNTP clients: moderating one
group gives no say over another (a crosspost waits for each moderated group's own moderator, queues match
names exactly), a display name ending in a backslash still makes a From header that parsers read back,
and a POST whose article never ends is abandoned after the post timeout."""
import email
import email.policy
import email.utils
import re
import shutil
import threading

import pytest

from conftest import PASSWORD
from nntpkit import DOMAIN, NewsServer, article, headers_of, message_id_of, nntplib, sqlite_template
from webclient import WebClient


def news_server(data_dir, env=None, before_start=()):
    shutil.copytree(sqlite_template(), data_dir, dirs_exist_ok=True)
    srv = NewsServer(data_dir, env=env, populated=True)
    for args, stdin in before_start:
        result = srv.cli(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
    return srv.start()


# ----------------------------------------------------------------------------------------- moderation

@pytest.fixture
def moderated(data_dir):
    """Two moderated groups whose names differ only where LIKE's `_` would match: alice moderates sec_x,
    minjun moderates secax (set by the staff moderator `mod` on the web)."""
    srv = news_server(data_dir, before_start=[(("group", "create", "sec_x", "--moderated"), None),
                                              (("group", "create", "secax", "--moderated"), None)])
    staff = WebClient(srv.url)
    staff.login("mod")
    for group, moderator in [("sec_x", "alice"), ("secax", "minjun")]:
        saved = staff.post(f"/newsgroups/{group}/settings", {"description": "", "posting": "moderated", "moderators": moderator},
                           page=f"/newsgroups/{group}")
        assert saved.status_code == 200, saved.text[:300]
    yield srv
    srv.stop()


def queue(client, group):
    """{subject: article id} in a group's moderation queue page."""
    page = client.get(f"/newsgroups/{group}/queue")
    assert page.status_code == 200
    return {subject: id_ for id_, subject in re.findall(r'id="pending-(\d+)">\s*<div class="row-main">\s*<strong>([^<]*)</strong>', page.text)}


def group_size(srv, group):
    with srv.raw("olga") as c:
        code, text = c.cmd(f"GROUP {group}")
        assert code == 211, text
        return int(text.split()[0])


def test_a_crosspost_waits_for_each_moderated_groups_own_moderator(moderated):
    with moderated.raw("alice") as c:
        code, text = c.post(article("sec_x,secax", "Sneaked in", "alice moderates sec_x only"))
        assert code == 240 and "moderator" in text, text
    with moderated.raw("olga") as c:
        assert c.post(article("secax", "Only for secax", "text"))[0] == 240
    alice, minjun = WebClient(moderated.url), WebClient(moderated.url)
    alice.login("alice")
    minjun.login("minjun")
    assert queue(alice, "sec_x") == {}, "sec_x's queue shows what waits for secax only (or what alice approved by posting)"
    waiting = queue(minjun, "secax")
    assert set(waiting) == {"Sneaked in", "Only for secax"}
    sneak = waiting["Sneaked in"]
    approved = alice.post(f"/newsgroups/sec_x/queue/{sneak}", {"decision": "approve"}, page="/newsgroups/sec_x/queue")
    assert approved.status_code == 403
    assert group_size(moderated, "secax") == 0 and group_size(moderated, "sec_x") == 0

    assert minjun.post(f"/newsgroups/secax/queue/{sneak}", {"decision": "approve"}, page="/newsgroups/secax/queue").status_code == 200
    assert group_size(moderated, "secax") == 1 and group_size(moderated, "sec_x") == 1, "published everywhere once all approved"
    client = moderated.connect("olga")
    client.group("secax")
    _, over = client.over((1, 1))
    assert over[0][1]["subject"] == "Sneaked in"
    client.quit()


# ---------------------------------------------------------------------------------------- From header

def test_a_display_name_ending_in_a_backslash_reads_back(data_dir):
    srv = news_server(data_dir, before_start=[(("user", "add", "slash", "--display-name", "Back\\"), PASSWORD + "\n")])
    try:
        client = srv.connect("slash")
        message_id = message_id_of(client.post([b"Newsgroups: starcon.general", b"Subject: backslash", b"", b"hello"]))
        _, info = client.article(message_id)
        _, count, first, _, _ = client.group("starcon.general")
        assert count == 1
        head = b"\r\n".join(info.lines[:info.lines.index(b"")]) + b"\r\n\r\n"
        parsed = email.message_from_bytes(head, policy=email.policy.default)
        sender = parsed["From"]
        assert not sender.defects, sender.defects
        assert sender.addresses[0].display_name == "Back\\" and sender.addresses[0].addr_spec == f"slash@{DOMAIN}"
        _, over = client.over((first, first))
        assert over[0][1]["from"] == headers_of(info.lines)["from"] == '"Back\\\\" <slash@starcon.local>'
        assert email.utils.parseaddr(nntplib.decode_header(over[0][1]["from"])) == ("Back\\", f"slash@{DOMAIN}")
        client.quit()
    finally:
        srv.stop()


# ------------------------------------------------------------------------------------------ POST timeout

def test_an_unfinished_post_is_abandoned_after_the_post_timeout(data_dir):
    srv = news_server(data_dir, env={"STARCON_NNTP_POST_TIMEOUT": "2"})
    try:
        with srv.raw("alice", timeout=60) as c:
            assert c.cmd("POST")[0] == 340
            c.send(b"Newsgroups: starcon.general\r\nSubject: slow\r\n\r\n")
            stop = threading.Event()

            def trickle():
                # A line every half second keeps the idle timeout away: only the post timeout can end this.
                while not stop.wait(0.5):
                    try:
                        c.send(b"still typing\r\n")
                    except OSError:
                        return
            threading.Thread(target=trickle, daemon=True).start()
            try:
                code, text = c.status()
            finally:
                stop.set()
            assert code == 441 and "timed out" in text, (code, text)
            assert c.wait_closed(30) == b""
        assert group_size(srv, "starcon.general") == 0
        with srv.raw("alice") as c:  # and the server goes on
            assert c.post(article("starcon.general", "quick", "done in time"))[0] == 240
    finally:
        srv.stop()

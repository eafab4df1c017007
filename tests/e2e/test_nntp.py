"""The NNTP server (RFC 3977 reader commands, RFC 4643 AUTHINFO USER/PASS) against the real binary: every
command's reply codes, posting in Korean, Russian and Japanese, dot-stuffing, crossposting and Xref,
moderated and read-only groups, OVER and HDR against the articles themselves, authentication failures
and suspension, bad input, and real newsreaders (suck/rpost, slrnpull, tin) driven by script.

Clients are Python's nntplib where it can say what the test needs, and a line-level socket client
(nntpkit.RawClient) for exact octets, pipelining, garbage and half-sent articles."""
import base64
import datetime
import os
import random
import re
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

from conftest import PASSWORD, run_cli
from nntpkit import (DOMAIN, NewsServer, article, body_of, headers_of, message_id_of, nntp_error_code, nntplib,
                     nntplib_lines, sqlite_template, tool)
from webclient import WebClient



# ---------------------------------------------------------------------------------------------- fixtures

def _sqlite_news(data_dir, env=None):
    shutil.copytree(sqlite_template(), data_dir, dirs_exist_ok=True)
    return NewsServer(data_dir, env=env, populated=True).start()


@pytest.fixture
def news(data_dir):
    """A server on SQLite with the members and groups of nntpkit.MEMBERS / GROUPS."""
    srv = _sqlite_news(data_dir)
    yield srv
    srv.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def any_news(request, data_dir):
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        srv = NewsServer(data_dir, database=request.getfixturevalue("pg_database")).start()
    else:
        srv = _sqlite_news(data_dir)
    yield srv
    srv.stop()


@pytest.fixture
def quick_idle(data_dir):
    """A server that closes connections idle for 2 seconds (STARCON_NNTP_IDLE_TIMEOUT)."""
    srv = _sqlite_news(data_dir, env={"STARCON_NNTP_IDLE_TIMEOUT": "2"})
    yield srv
    srv.stop()


def post(client, groups, subject, body, headers=()):
    """Posts with nntplib and returns the new message-id."""
    lines = [f"Newsgroups: {groups}", f"Subject: {subject}", *headers, ""] + body.split("\n")
    return message_id_of(client.post([line.encode("utf-8") for line in lines]))


def expect_nntp_error(code, call, *args):
    with pytest.raises((nntplib.NNTPTemporaryError, nntplib.NNTPPermanentError)) as error:
        call(*args)
    assert nntp_error_code(error.value) == code, str(error.value)
    return str(error.value)


def group_count(srv, name):
    with srv.raw("alice") as c:
        code, text = c.cmd(f"GROUP {name}")
        assert code == 211, text
        return int(text.split()[0]), int(text.split()[2])


def server_alive(srv):
    with srv.raw() as c:
        assert c.greeting.startswith("200 ")
        assert c.cmd("DATE")[0] == 111


# ------------------------------------------------------------------------------- session basics (§5, §7)

def test_greeting_capabilities_and_mode_reader(news):
    with news.raw() as c:
        assert c.greeting.startswith("200 ") and "posting allowed" in c.greeting
        code, _, caps = c.long("CAPABILITIES")
        assert code == 101
        caps = [line.decode() for line in caps]
        assert caps[0] == "VERSION 2", "RFC 3977 §5.2.2: VERSION comes first"
        for expected in ["READER", "POST", "NEWNEWS", "HDR", "OVER MSGID", "AUTHINFO USER"]:
            assert expected in caps, caps
        listed = next(line for line in caps if line.startswith("LIST "))
        assert set(listed.split()[1:]) >= {"ACTIVE", "NEWSGROUPS", "OVERVIEW.FMT", "ACTIVE.TIMES", "HEADERS"}
        assert c.cmd("MODE READER")[0] == 200
        c.login("alice")
        assert c.cmd("MODE READER")[0] == 200
        _, _, caps_after = c.long("CAPABILITIES")
        caps_after = [line.decode() for line in caps_after]
        assert not any(line.startswith("AUTHINFO") for line in caps_after), "RFC 4643 §2.2: no AUTHINFO once signed in"
        assert "READER" in caps_after and "POST" in caps_after
        assert c.cmd("QUIT")[0] == 205
        assert c.wait_closed(5) == b""


def test_nntplib_sees_the_capabilities(news):
    client = news.connect()
    caps = client.getcapabilities()
    assert caps["VERSION"] == ["2"] and "READER" in caps and "OVER" in caps
    assert "AUTHINFO" not in caps
    client.quit()


def test_date_help_quit(news):
    with news.raw() as c:
        code, text = c.cmd("DATE")
        assert code == 111 and re.fullmatch(r"\d{14}", text)
        server_time = datetime.datetime.strptime(text, "%Y%m%d%H%M%S")
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        assert abs((server_time - now).total_seconds()) < 60, "DATE is UTC (RFC 3977 §7.1)"
        code, _, lines = c.long("HELP")
        assert code == 100 and len(lines) >= 10 and all(lines)
        assert c.cmd("QUIT") == (205, "Bye")
        assert c.wait_closed(5) == b""


@pytest.mark.parametrize("command", ["FROBNICATE", "XYZZY 1 2", "", "IHAVE <a@b>", "MODEX READER", "XPAT Subject 1- *"])
def test_unknown_commands_get_500(news, command):
    with news.raw("alice") as c:
        assert c.cmd(command)[0] == 500
        assert c.cmd("DATE")[0] == 111


@pytest.mark.parametrize("command", [
    "GROUP", "GROUP a b", "MODE", "MODE POSTER", "DATE now", "HELP me", "QUIT now", "CAPABILITIES x y",
    "ARTICLE abc", "ARTICLE <no-closing", "ARTICLE 1 2", "HEAD -1", "BODY 12345678901234567", "STAT <>",
    "LISTGROUP starcon.general abc", "LISTGROUP a 1- b", "OVER a-b", "OVER 1 2", "XOVER x", "HDR",
    "HDR Subject 1 2", "HDR Subject x-", "NEWGROUPS 2024", "NEWGROUPS 20241301 000000", "NEWGROUPS 20240101 250000",
    "NEWGROUPS 20240101 000000 UTC", "NEWNEWS * 20240101", "NEWNEWS 20240101 000000", "LIST FOO",
    "LIST OVERVIEW.FMT x", "LIST ACTIVE a b", "POST now", "NEXT 1", "LAST 1", "AUTHINFO", "AUTHINFO GENERIC x",
    "AUTHINFO SASL PLAIN",
])
def test_bad_arguments_get_501(news, command):
    with news.raw("alice") as c:
        code, text = c.cmd(command)
        assert code == 501, (command, code, text)
        assert c.cmd("DATE")[0] == 111


def test_keywords_are_case_insensitive_and_tabs_separate_arguments(news):
    with news.raw() as c:
        assert c.cmd("authinfo user alice")[0] == 381
        assert c.cmd("AuthInfo Pass " + PASSWORD)[0] == 281
        assert c.cmd("group\tstarcon.general")[0] == 211
        assert c.cmd("GROUP   starcon.general  ")[0] == 211
        assert c.long("list active")[0] == 215
        assert c.cmd("mode reader")[0] == 200


def test_pipelined_commands_are_answered_in_order(news):
    with news.raw("alice") as c:
        c.send(b"DATE\r\nGROUP starcon.general\r\nHELP\r\nGROUP nope\r\nLIST ACTIVE starcon.*\r\nDATE\r\n")
        assert c.status()[0] == 111
        assert c.status()[0] == 211
        assert c.status()[0] == 100 and c.block()
        assert c.status()[0] == 411
        code, _ = c.status()
        assert code == 215 and {line.split()[0] for line in c.block()} == {b"starcon.general", b"starcon.test", b"starcon.empty"}
        assert c.status()[0] == 111


# --------------------------------------------------------------------------------- authentication (RFC 4643)

GATED = ["LIST", "LIST ACTIVE", "LIST NEWSGROUPS", "LIST OVERVIEW.FMT", "GROUP starcon.general",
         "LISTGROUP starcon.general", "NEXT", "LAST", "ARTICLE 1", "ARTICLE <a@b>", "HEAD", "BODY 1", "STAT 1",
         "OVER 1-", "XOVER 1-", "OVER <a@b>", "HDR Subject 1-", "XHDR Subject 1-", "NEWGROUPS 20200101 000000",
         "NEWNEWS * 20200101 000000 GMT", "POST"]


@pytest.mark.parametrize("command", GATED)
def test_reading_and_posting_need_authentication(news, command):
    with news.raw() as c:
        assert c.cmd(command)[0] == 480
        # still usable afterwards, and the allowed commands work without signing in
        assert c.cmd("DATE")[0] == 111
        assert c.cmd("MODE READER")[0] == 200


def test_authinfo_sequence_codes(news):
    with news.raw() as c:
        assert c.cmd("AUTHINFO PASS " + PASSWORD)[0] == 482, "PASS before USER is out of sequence"
        assert c.cmd("AUTHINFO USER alice")[0] == 381
        assert c.cmd("AUTHINFO PASS " + PASSWORD)[0] == 281
        assert c.cmd("AUTHINFO USER alice")[0] == 502, "RFC 4643 §2.3.2: already authenticated"
        assert c.cmd("AUTHINFO PASS " + PASSWORD)[0] == 502
        assert c.cmd("GROUP starcon.general")[0] == 211


def test_username_is_case_insensitive_and_unknown_users_look_like_wrong_passwords(news):
    with news.raw() as c:
        c.login("ALICE")
        assert c.cmd("LIST")[0] == 215 and c.block()
    with news.raw() as c:
        assert c.cmd("AUTHINFO USER nobody_here")[0] == 381
        unknown = c.cmd("AUTHINFO PASS " + PASSWORD)
        assert c.cmd("AUTHINFO USER alice")[0] == 381
        wrong = c.cmd("AUTHINFO PASS not the password")
        assert unknown == wrong == (481, "Authentication failed")


def test_nntplib_login_failure_raises_481(news):
    with pytest.raises(nntplib.NNTPTemporaryError) as error:
        news.connect("alice", "wrong password!!")
    assert nntp_error_code(error.value) == 481


def test_three_failures_close_the_connection(news):
    with news.raw() as c:
        for attempt in range(3):
            assert c.cmd("AUTHINFO USER minjun")[0] == 381
            assert c.cmd(f"AUTHINFO PASS wrong-{attempt}")[0] == 481
        assert c.wait_closed(5) == b""
    with news.raw("minjun") as c:  # two failures in between do not lock the account
        assert c.cmd("GROUP starcon.general")[0] == 211


def test_five_failures_lock_the_account_for_nntp_and_the_web(news):
    with news.raw() as c:
        for attempt in range(3):
            c.cmd("AUTHINFO USER olga")
            assert c.cmd(f"AUTHINFO PASS wrong-{attempt}")[0] == 481
        c.wait_closed(5)
    with news.raw() as c:
        for attempt in range(2):
            c.cmd("AUTHINFO USER olga")
            assert c.cmd(f"AUTHINFO PASS wrong-again-{attempt}")[0] == 481
        assert c.cmd("AUTHINFO USER olga")[0] == 381
        code, text = c.cmd("AUTHINFO PASS " + PASSWORD)
        assert code == 481 and "try again later" in text, text
    web = WebClient(news.url).post("/login", {"username": "olga", "password": PASSWORD})
    assert web.status_code == 429
    with news.raw("alice") as c:  # other members are not affected
        assert c.cmd("GROUP starcon.general")[0] == 211


def test_a_suspended_member_cannot_sign_in(news):
    assert news.cli("user", "suspend", "minjun", "--reason", "spam").returncode == 0
    with news.raw() as c:
        assert c.cmd("AUTHINFO USER minjun")[0] == 381
        assert c.cmd("AUTHINFO PASS " + PASSWORD) == (481, "Account suspended")
        assert c.cmd("GROUP starcon.general")[0] == 480


def test_a_suspension_ends_an_open_connection_at_once(news):
    victim = news.raw("minjun")
    bystander = news.raw("alice")
    assert victim.cmd("GROUP starcon.general")[0] == 211
    # Another process (the command line) suspends: the event log reaches the server, which says 400 and
    # closes the connection (RFC 3977 §3.2.1 allows it at any time), without waiting for the next command.
    result = news.cli("user", "suspend", "minjun", "--reason", "abuse")
    assert result.returncode == 0, result.stderr
    sent = victim.wait_closed(timeout=10)
    assert sent.startswith(b"400 "), sent
    victim.close()
    again = news.raw()
    assert again.cmd("AUTHINFO USER minjun")[0] == 381
    assert again.cmd("AUTHINFO PASS " + PASSWORD)[0] == 481
    again.close()
    assert bystander.cmd("GROUP starcon.general")[0] == 211
    bystander.close()


def test_email_only_members_may_read_but_not_post(news):
    with news.raw("mailer") as c:
        assert c.cmd("GROUP starcon.general")[0] == 211
        assert c.cmd("POST")[0] == 440


# -------------------------------------------------------------------------------- group listing (§6.1, §7.6)

def test_list_active_newsgroups_and_times(news):
    client = news.connect()
    _, groups = client.list()
    by_name = {g.group: g for g in groups}
    assert set(by_name) == {"starcon.general", "starcon.test", "starcon.empty", "campus.sports", "campus.announce",
                            "campus.moderated"}
    assert by_name["starcon.general"].flag == "y"
    assert by_name["campus.announce"].flag == "n"
    assert by_name["campus.moderated"].flag == "m"
    # RFC 3977 §6.1.1.2 / §7.6.3: an empty group reports high = low - 1
    assert (int(by_name["starcon.empty"].last), int(by_name["starcon.empty"].first)) == (0, 1)
    _, descriptions = client.descriptions("*")
    assert descriptions["campus.sports"] == "스포츠 이야기"
    assert descriptions["starcon.general"] == "General talk"
    client.quit()
    with news.raw("alice") as c:
        code, _, lines = c.long("LIST ACTIVE.TIMES")
        assert code == 215
        now = time.time()
        for line in lines:
            name, created, creator = line.decode().split(" ")
            assert abs(int(created) - now) < 3600 and creator
        code, _, lines = c.long("LIST ACTIVE.TIMES campus.*")
        assert sorted(line.split()[0] for line in lines) == [b"campus.announce", b"campus.moderated", b"campus.sports"]


def test_list_overview_fmt_and_headers(news):
    with news.raw("alice") as c:
        code, _, lines = c.long("LIST OVERVIEW.FMT")
        assert code == 215
        assert lines == [b"Subject:", b"From:", b"Date:", b"Message-ID:", b"References:", b":bytes", b":lines",
                         b"Xref:full"], "RFC 3977 §8.4: the seven mandatory fields in order"
        code, _, lines = c.long("LIST HEADERS")
        assert code == 215 and b":" in lines


@pytest.mark.parametrize("wildmat,expected", [
    ("*", {"starcon.general", "starcon.test", "starcon.empty", "campus.sports", "campus.announce", "campus.moderated"}),
    ("campus.*", {"campus.sports", "campus.announce", "campus.moderated"}),
    ("*,!campus.*", {"starcon.general", "starcon.test", "starcon.empty"}),
    ("starcon.[eg]*", {"starcon.general", "starcon.empty"}),
    ("starcon.tes?", {"starcon.test"}),
    ("campus.*,!campus.a*,campus.announce", {"campus.sports", "campus.announce", "campus.moderated"}),
    ("[^s]*", {"campus.sports", "campus.announce", "campus.moderated"}),
    ("*.s*", {"campus.sports"}),
    ("starcon.general", {"starcon.general"}),
    ("nothing.*", set()),
    ("*t", {"starcon.test"}),
])
def test_list_active_filters_by_wildmat(news, wildmat, expected):
    with news.raw("alice") as c:
        code, _, lines = c.long(f"LIST ACTIVE {wildmat}")
        assert code == 215
        assert {line.split()[0].decode() for line in lines} == expected
        code, _, lines = c.long(f"LIST NEWSGROUPS {wildmat}")
        assert code == 215 and {line.split(b"\t")[0].decode() for line in lines} == expected


def test_group_selects_and_unknown_group_keeps_the_selection(news):
    client = news.connect()
    first = post(client, "starcon.test", "one", "first")
    post(client, "starcon.test", "two", "second")
    with news.raw("alice") as c:
        assert c.cmd("GROUP starcon.empty") == (211, "0 1 0 starcon.empty")
        assert c.cmd("GROUP starcon.test") == (211, "2 1 2 starcon.test")
        assert c.cmd("GROUP no.such.group")[0] == 411
        assert c.cmd("STAT") == (223, f"1 {first} Article exists"), "RFC 3977 §6.1.1.2: 411 leaves the group selected"
    client.quit()


# ----------------------------------------------------------------------------- navigation and retrieval (§6)

@pytest.fixture
def three_articles(news):
    client = news.connect()
    ids = [post(client, "starcon.test", f"Article {n}", f"Body of article {n}") for n in (1, 2, 3)]
    client.quit()
    return ids


def test_listgroup(news, three_articles):
    with news.raw("alice") as c:
        assert c.cmd("LISTGROUP")[0] == 412
        code, text, lines = c.long("LISTGROUP starcon.test")
        assert (code, text) == (211, "3 1 3 starcon.test list follows") and lines == [b"1", b"2", b"3"]
        assert c.long("LISTGROUP starcon.test 2-")[2] == [b"2", b"3"]
        assert c.long("LISTGROUP starcon.test 2-2")[2] == [b"2"]
        assert c.long("LISTGROUP starcon.test 3-1")[2] == []
        assert c.long("LISTGROUP starcon.test 9-")[2] == []
        assert c.long("LISTGROUP")[2] == [b"1", b"2", b"3"], "without arguments: the selected group"
        assert c.cmd("LISTGROUP no.such")[0] == 411
        assert c.long("LISTGROUP starcon.empty")[:2] == (211, "0 1 0 starcon.empty list follows")
        assert c.cmd("STAT")[0] == 420, "an empty group leaves no current article"


def test_next_last_and_the_current_article(news, three_articles):
    one, two, three = three_articles
    with news.raw("alice") as c:
        for command in ["NEXT", "LAST", "STAT", "ARTICLE", "HEAD", "BODY", "STAT 1", "ARTICLE 1", "OVER", "HDR Subject"]:
            assert c.cmd(command)[0] == 412, command
        assert c.cmd("GROUP starcon.empty")[0] == 211
        for command in ["NEXT", "LAST", "STAT", "ARTICLE", "HEAD", "BODY", "OVER", "XOVER", "HDR Subject"]:
            assert c.cmd(command)[0] == 420, command
        assert c.cmd("GROUP starcon.test")[0] == 211
        assert c.cmd("STAT") == (223, f"1 {one} Article exists")
        assert c.cmd("LAST")[0] == 422
        assert c.cmd("NEXT") == (223, f"2 {two} Article found")
        assert c.cmd("NEXT")[0] == 223
        assert c.cmd("NEXT")[0] == 421
        assert c.cmd("STAT") == (223, f"3 {three} Article exists"), "421 leaves the current article"
        assert c.cmd("LAST") == (223, f"2 {two} Article found")
        assert c.cmd("STAT 9")[0] == 423
        assert c.cmd("STAT")[0] == 223 and c.cmd("STAT")[1].startswith("2 "), "423 leaves the current article"
        assert c.cmd("STAT 1")[1].startswith("1 ")
        assert c.cmd("STAT")[1].startswith("1 "), "STAT n makes n current"
        assert c.cmd(f"STAT {three}") == (223, f"0 {three} Article exists")
        assert c.cmd("STAT")[1].startswith("1 "), "by message-id leaves the current article"


def test_nntplib_navigation(news, three_articles):
    client = news.connect()
    _, count, first, last, name = client.group("starcon.test")
    assert (count, first, last, name) == (3, 1, 3, "starcon.test")
    assert client.next()[1] == 2
    assert client.last()[1] == 1
    expect_nntp_error(422, client.last)
    assert client.stat(3)[2] == three_articles[2]
    expect_nntp_error(421, client.next)
    client.quit()


def test_article_head_body_stat_by_number_and_message_id(news, three_articles):
    one, two, _ = three_articles
    with news.raw("alice") as c:
        assert c.cmd("ARTICLE <nonexistent@starcon.local>")[0] == 430
        assert c.cmd(f"HEAD {two}")[:1] == (221,)
        c.block()
        assert c.cmd("GROUP starcon.test")[0] == 211
        code, text, lines = c.long("ARTICLE 2")
        assert (code, text) == (220, f"2 {two} Article follows")
        headers = headers_of(lines)
        assert headers["message-id"] == two and headers["subject"] == "Article 2"
        assert body_of(lines) == [b"Body of article 2"]
        code, text, head = c.long("HEAD 2")
        assert (code, text) == (221, f"2 {two} Headers follow") and head == lines[:lines.index(b"")]
        code, text, body = c.long("BODY 2")
        assert (code, text) == (222, f"2 {two} Body follows") and body == [b"Body of article 2"]
        assert c.cmd("STAT 2") == (223, f"2 {two} Article exists")
        code, text, by_id = c.long(f"ARTICLE {one}")
        assert (code, text) == (220, f"0 {one} Article follows"), "RFC 3977 §6.2.1.2: number 0 by message-id"
        assert headers_of(by_id)["xref"] == f"{DOMAIN} starcon.test:1"
        assert c.long(f"BODY {one}")[:2] == (222, f"0 {one} Body follows")
        assert c.cmd("ARTICLE 99")[0] == 423
        assert c.cmd("HEAD 0")[0] == 423
        assert c.cmd("BODY <gone@elsewhere.example>")[0] == 430


def test_article_headers_are_complete_and_ascii(news):
    client = news.connect("minjun")
    message_id = post(client, "starcon.test", "헤더 검사", "본문")
    _, info = client.article(message_id)
    headers = headers_of(info.lines)
    for name in ["path", "from", "newsgroups", "subject", "date", "message-id", "xref", "lines", "mime-version",
                 "content-type", "content-transfer-encoding"]:
        assert name in headers, name
    assert headers["newsgroups"] == "starcon.test"
    assert headers["content-type"].lower().replace(" ", "") == "text/plain;charset=utf-8"
    assert headers["content-transfer-encoding"].lower() == "8bit"
    assert headers["mime-version"] == "1.0"
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", headers["message-id"])
    datetime.datetime.strptime(headers["date"], "%a, %d %b %Y %H:%M:%S %z")
    assert nntplib.decode_header(headers["from"]) == "김민준 <minjun@starcon.local>"
    assert nntplib.decode_header(headers["subject"]) == "헤더 검사"
    assert all(line.isascii() for line in info.lines[:info.lines.index(b"")])
    client.quit()


# ------------------------------------------------------------------------------------ overview (§8.3–§8.6)

def test_over_fields_match_the_articles(any_news):
    client = any_news.connect("olga")
    parent = post(client, "starcon.test", "Вопрос о погоде", "Какая завтра погода?\nСпасибо.")
    child = post(client, "starcon.test", "Re: Вопрос о погоде", "> Какая завтра погода?\n\nСолнечно.\n..точки\n.",
                 headers=[f"References: {parent}"])
    post(client, "starcon.test", "Plain ASCII", "one line")
    client.quit()
    with any_news.raw("olga") as c:
        assert c.cmd("GROUP starcon.test")[0] == 211
        code, _, over_lines = c.long("OVER 1-")
        assert code == 224 and len(over_lines) == 3
        for raw in over_lines:
            fields = raw.decode("utf-8").split("\t")
            assert len(fields) == 9, fields
            number, subject, from_, date, message_id, references, size, lines, xref = fields
            c.send(f"ARTICLE {number}")
            code, text = c.status()
            assert code == 220
            wire = c.block_wire()
            article_lines = [line[1:] if line.startswith(b".") else line for line in wire.split(b"\r\n")[:-1]]
            headers = headers_of(article_lines)
            assert subject == headers["subject"]
            assert from_ == headers["from"]
            assert date == headers["date"]
            assert message_id == headers["message-id"] == text.split()[1]
            assert references == headers.get("references", "")
            assert xref == "Xref: " + headers["xref"]
            # RFC 3977 §8.1.1: octets of the article with CRLF line ends, without dot-stuffing or the final "."
            assert int(size) == sum(len(line) + 2 for line in article_lines)
            if not any(line.startswith(b".") for line in article_lines):
                assert int(size) == len(wire), "without dot lines, :bytes is the length on the wire"
            assert int(lines) == len(body_of(article_lines)) == int(headers["lines"])
        child_fields = over_lines[1].decode().split("\t")
        assert child_fields[4] == child and child_fields[5] == parent
        assert nntplib.decode_header(child_fields[1]) == "Re: Вопрос о погоде"


def test_over_xover_ranges_and_errors(news, three_articles):
    one, _, _ = three_articles
    client = news.connect()
    client.group("starcon.test")
    _, entries = client.over((2, 3))
    assert [n for n, _ in entries] == [2, 3]
    assert entries[0][1]["subject"] == "Article 2"
    assert entries[0][1]["xref"] == f"{DOMAIN} starcon.test:2"
    _, entries = client.xover(1, 3)
    assert [n for n, _ in entries] == [1, 2, 3]
    _, entries = client.over((1, None))
    assert len(entries) == 3
    client.quit()
    with news.raw("alice") as c:
        assert c.cmd(f"OVER {one}")[0] == 224, "by message-id needs no group"
        entry = c.block()
        assert len(entry) == 1 and entry[0].split(b"\t")[0] == b"0", "RFC 3977 §8.3.2: number 0 by message-id"
        assert c.cmd("OVER <missing@starcon.local>")[0] == 430
        assert c.cmd("OVER 1-")[0] == 412
        assert c.cmd("GROUP starcon.test")[0] == 211
        assert c.long("OVER")[0] == 224, "no argument: the current article"
        assert c.cmd("OVER 4-")[0] == 423
        assert c.cmd("OVER 3-1")[0] == 423
        assert c.cmd("XOVER 50-60")[0] == 423
        code, _, lines = c.long("XOVER 2")
        assert code == 224 and [line.split(b"\t")[0] for line in lines] == [b"2"]


def test_hdr_fields_ranges_and_message_ids(news):
    client = news.connect("alice")
    first = post(client, "starcon.test", "Ниппон 日本", "本文です", headers=["User-Agent: e2e-tests/1.0"])
    second = post(client, "starcon.test", "Reply", "ok", headers=[f"References: {first}"])
    client.quit()
    with news.raw("alice") as c:
        assert c.cmd("HDR Subject 1-")[0] == 412
        assert c.cmd("GROUP starcon.test")[0] == 211
        code, _, lines = c.long("HDR Subject 1-")
        assert code == 225
        values = dict(line.decode().split(" ", 1) for line in lines)
        assert nntplib.decode_header(values["1"]) == "Ниппон 日本" and values["2"] == "Reply"
        assert c.long("HDR Message-ID 2")[2] == [f"2 {second}".encode()]
        assert c.long("HDR references 2")[2] == [f"2 {first}".encode()]
        assert c.long("HDR :lines 1")[2] == [b"1 1"]
        code, _, size = c.long("HDR :bytes 1")
        _, _, whole = c.long("ARTICLE 1")
        assert size == [f"1 {sum(len(line) + 2 for line in whole)}".encode()]
        assert c.long("HDR Newsgroups 1")[2] == [b"1 starcon.test"]
        assert c.long("HDR User-Agent 1")[2] == [b"1 e2e-tests/1.0"]
        assert c.long("HDR Xref 2")[2] == [f"2 {DOMAIN} starcon.test:2".encode()]
        assert c.long(f"HDR Subject {second}")[2] == [b"0 Reply"], "RFC 3977 §8.5.2: 0 for a message-id"
        missing = c.long("HDR X-Not-There 1-2")[2]
        assert [line.rstrip() for line in missing] == [b"1", b"2"], "absent header: the number and an empty value"
        assert c.cmd("HDR Subject 7-9")[0] == 423
        assert c.cmd("HDR Subject <missing@starcon.local>")[0] == 430
        assert c.cmd("STAT 1")[0] == 223
        assert c.long("HDR Subject")[2][0].startswith(b"1 "), "no range: the current article"


def test_xhdr_answers_221(news, three_articles):
    with news.raw("alice") as c:
        assert c.cmd("GROUP starcon.test")[0] == 211
        code, _ = c.cmd("XHDR Subject 1-3")
        c.block()
        assert code == 221


def test_nntplib_xhdr_and_over_by_message_id(news, three_articles):
    client = news.connect()
    client.group("starcon.test")
    _, values = client.xhdr("subject", "1-3")
    assert values == [("1", "Article 1"), ("2", "Article 2"), ("3", "Article 3")]
    _, entries = client.over(three_articles[1])
    assert entries[0][0] == 0 and entries[0][1]["message-id"] == three_articles[1]
    client.quit()


# ------------------------------------------------------------------------------- NEWGROUPS and NEWNEWS (§7.3, §7.4)

def _server_now(c):
    code, text = c.cmd("DATE")
    assert code == 111
    return datetime.datetime.strptime(text, "%Y%m%d%H%M%S")


def test_newgroups(news):
    with news.raw("alice") as c:
        before = _server_now(c) - datetime.timedelta(seconds=2)
        code, _, lines = c.long("NEWGROUPS 20000101 000000 GMT")
        assert code == 231 and len(lines) == 6
        line = next(line for line in lines if line.startswith(b"campus.moderated "))
        assert line.split()[-1] == b"m", "same format as LIST ACTIVE"
        assert c.long("NEWGROUPS 000101 000000")[2] == lines, "two-digit years: the nearest century"
        time.sleep(1.1)
        result = news.cli("group", "create", "campus.fresh", "--description", "Brand new")
        assert result.returncode == 0, result.stderr
        since = (before + datetime.timedelta(seconds=2)).strftime("%Y%m%d %H%M%S")
        code, _, lines = c.long(f"NEWGROUPS {since} GMT")
        assert code == 231 and lines == [b"campus.fresh 0 1 y"]
        future = (before + datetime.timedelta(days=2)).strftime("%y%m%d %H%M%S")
        assert c.long(f"NEWGROUPS {future}")[:1] == (231,) and c.long(f"NEWGROUPS {future}")[2] == []
    client = news.connect()
    _, groups = client.newgroups(datetime.date(2000, 1, 1))
    assert "campus.fresh" in {g.group for g in groups}
    client.quit()


def test_newnews_with_no_matching_group_is_empty(news):
    with news.raw("alice") as c:
        assert c.long("NEWNEWS nothing.* 20000101 000000 GMT")[:1] == (230,)


def test_newnews(any_news):
    client = any_news.connect()
    sports = post(client, "campus.sports", "Goal", "1:0")
    general = post(client, "starcon.general", "Hello", "hi")
    both = post(client, "starcon.general,campus.sports", "Both", "x")
    with any_news.raw("alice") as c:
        now = _server_now(c)
        code, _, lines = c.long("NEWNEWS * 20000101 000000 GMT")
        assert code == 230
        assert sorted(lines) == sorted(m.encode() for m in [sports, general, both]), "a crosspost is listed once"
        assert set(c.long("NEWNEWS campus.* 20000101 000000")[2]) == {sports.encode(), both.encode()}
        assert set(c.long("NEWNEWS *,!campus.* 20000101 000000")[2]) == {general.encode(), both.encode()}
        later = (now + datetime.timedelta(minutes=5)).strftime("%Y%m%d %H%M%S")
        assert c.long(f"NEWNEWS * {later} GMT")[2] == []
    _, ids = client.newnews("campus.sports", datetime.datetime(2000, 1, 1))
    assert set(ids) == {sports, both}
    client.quit()


# -------------------------------------------------------------------------------------- posting (§6.3)

I18N_POSTS = [
    # (poster, subject as sent, subject expected, body)
    ("minjun", "안녕하세요, 뉴스그룹!", "안녕하세요, 뉴스그룹!", "첫 번째 글입니다.\n한국어 본문 — 줄 두 개."),
    ("minjun", "=?UTF-8?B?" + base64.b64encode("인코딩된 제목".encode()).decode() + "?=", "인코딩된 제목", "본문"),
    ("olga", "=?utf-8?Q?=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82_=D0=BC=D0=B8=D1=80?=", "Привет мир",
     "Съешь же ещё этих мягких французских булок, да выпей чаю."),
    ("olga", "Новости: обновление", "Новости: обновление", "Строка 1\nСтрока 2\n\nСтрока 4 после пустой"),
    ("alice", "=?ISO-2022-JP?B?" + base64.b64encode("日本語の件名".encode("iso-2022-jp")).decode() + "?=", "日本語の件名",
     "いろはにほへと ちりぬるを\n絵文字も 🎌 大丈夫"),
    ("alice", "=?utf-8?B?" + base64.b64encode("前半".encode()).decode() + "?= =?utf-8?B?"
     + base64.b64encode("後半".encode()).decode() + "?=", "前半後半", "RFC 2047 §6.2: no space between words"),
    ("alice", "Mixed 한국어 Русский 日本語", "Mixed 한국어 Русский 日本語", "ASCII and 三つの言語"),
]


@pytest.mark.parametrize("poster,sent,expected,body", I18N_POSTS)
def test_posting_in_korean_russian_and_japanese(news, poster, sent, expected, body):
    client = news.connect(poster)
    message_id = post(client, "starcon.general", sent, body)
    _, info = client.article(message_id)
    headers = headers_of(info.lines)
    assert all(line.isascii() for line in info.lines[:info.lines.index(b"")]), "RFC 2047: headers stay ASCII"
    assert nntplib.decode_header(headers["subject"]) == expected
    if not expected.isascii():
        assert headers["subject"].lower().startswith("=?utf-8?b?")
    assert [line.decode("utf-8") for line in body_of(info.lines)] == body.split("\n"), "8bit UTF-8 body"
    _, entries = client.over(message_id)
    assert nntplib.decode_header(entries[0][1]["subject"]) == expected
    client.group("starcon.general")
    _, values = client.xhdr("Subject", message_id)
    assert nntplib.decode_header(values[0][1]) == expected
    client.quit()


def test_a_long_korean_subject_is_split_into_short_encoded_words(news):
    subject = "가나다라마바사아자차카타파하" * 20  # 280 characters, 840 octets of UTF-8
    client = news.connect("minjun")
    message_id = post(client, "starcon.general", subject, "긴 제목")
    _, info = client.head(message_id)
    start = next(i for i, line in enumerate(info.lines) if line.startswith(b"Subject:"))
    end = next(i for i in range(start + 1, len(info.lines)) if not info.lines[i][:1] in (b" ", b"\t"))
    assert end > start + 1, "RFC 5322 §2.2.3: a long header is folded"
    header = b"".join(info.lines[start:end]).decode()  # unfolding removes the CRLF only
    words = re.findall(r"=\?[^?]+\?[BbQq]\?[^?]*\?=", header)
    assert len(words) > 1 and all(len(word) <= 75 for word in words), "RFC 2047 §2: encoded words of at most 75"
    assert nntplib.decode_header(header[len("Subject: "):]) == subject
    client.quit()


def test_header_lines_stay_within_998_octets(news):
    client = news.connect("minjun")
    message_id = post(client, "starcon.general", "가나다라마바사아자차카타파하" * 20, "긴 제목")
    _, info = client.head(message_id)
    assert max(len(line) for line in info.lines) <= 998
    client.quit()


def test_non_ascii_display_names_are_encoded_in_from(news):
    for user, name in [("minjun", "김민준"), ("olga", "Ольга Петрова"), ("alice", "Alice Example")]:
        client = news.connect(user)
        message_id = post(client, "starcon.general", "Who am I", "me")
        _, info = client.head(message_id)
        from_ = headers_of(info.lines)["from"]
        assert nntplib.decode_header(from_).replace('"', "") == f"{name} <{user}@{DOMAIN}>"
        client.quit()


def test_the_server_decides_from_path_date_and_xref(news):
    client = news.connect("alice")
    message_id = post(client, "starcon.general", "Forged headers", "body", headers=[
        "From: Someone Else <ceo@bank.example>", "Path: evil!forged", "Date: Mon, 01 Jan 1990 00:00:00 +0000",
        "Xref: evil.example starcon.general:999", "NNTP-Posting-Host: 10.0.0.1", "Approved: moderator@x",
        "Organization: Test Org", "User-Agent: custom-reader/2.0"])
    _, info = client.head(message_id)
    headers = headers_of(info.lines)
    assert headers["from"] == f'"Alice Example" <alice@{DOMAIN}>'
    assert headers["path"] == f"{DOMAIN}!not-for-mail"
    assert "1990" not in headers["date"]
    assert headers["xref"] == f"{DOMAIN} starcon.general:1"
    assert "nntp-posting-host" not in headers and "approved" not in headers
    assert headers["organization"] == "Test Org" and headers["user-agent"] == "custom-reader/2.0"
    assert sum(1 for line in info.lines if line.lower().startswith(b"from:")) == 1
    client.quit()


def test_folded_headers_lowercase_names_and_a_client_message_id(news):
    with news.raw("alice") as c:
        code, text = c.post(b"newsgroups: starcon.general\r\nsubject: a subject\r\n\tfolded onto two lines\r\n"
                            b"message-id: <my-own-id.1@client.example>\r\n\r\nbody\r\n")
        assert (code, text) == (240, "Article received <my-own-id.1@client.example>")
        code, _, head = c.long("HEAD <my-own-id.1@client.example>")
        assert headers_of(head)["subject"] == "a subject folded onto two lines"
        code, text = c.post(b"Newsgroups: starcon.general\r\nSubject: again\r\nMessage-ID: <my-own-id.1@client.example>"
                            b"\r\n\r\nbody\r\n")
        assert code == 441 and "Duplicate" in text
        code, text = c.post(b"Newsgroups: starcon.general\r\nSubject: bad id\r\nMessage-ID: not-an-id\r\n\r\nbody\r\n")
        assert code == 441
    assert group_count(news, "starcon.general")[0] == 1


def test_quoted_printable_and_base64_bodies_are_stored_as_utf8(news):
    with news.raw("olga") as c:
        qp = ("Newsgroups: starcon.general\r\nSubject: QP\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: quoted-printable\r\n\r\n=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82, =\r\n"
              "=D0=BC=D0=B8=D1=80!\r\nsecond line\r\n")
        code, text = c.post(qp.encode())
        assert code == 240, text
        code, _, body = c.long(f"BODY {message_id_of(text)}")
        assert [line.decode("utf-8") for line in body] == ["Привет, мир!", "second line"]
        encoded = base64.b64encode("こんにちは\n世界".encode()).decode()
        b64 = ("Newsgroups: starcon.general\r\nSubject: B64\r\nContent-Type: text/plain; charset=UTF-8\r\n"
               f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n")
        code, text = c.post(b64.encode())
        assert code == 240, text
        _, _, body = c.long(f"BODY {message_id_of(text)}")
        assert [line.decode("utf-8") for line in body] == ["こんにちは", "世界"]
        jis = article("starcon.general", "JIS", "日本語の本文\n二行目", charset="iso-2022-jp")
        code, text = c.post(jis)
        assert code == 240, text
        _, _, body = c.long(f"BODY {message_id_of(text)}")
        assert [line.decode("utf-8") for line in body] == ["日本語の本文", "二行目"]


@pytest.mark.parametrize("charset,text", [("windows-1251", "Привет, мир"), ("iso-8859-1", "Café crème"),
                                          ("shift_jis", "こんにちは世界")])
def test_eight_bit_bodies_in_other_charsets_are_converted(news, charset, text):
    with news.raw("olga") as c:
        code, reply = c.post(article("starcon.general", charset, text, charset=charset))
        assert code == 240, reply
        _, _, body = c.long(f"BODY {message_id_of(reply)}")
        assert body == [text.encode("utf-8")]


def test_invalid_utf8_body_is_refused(news):
    with news.raw("alice") as c:
        code, text = c.post(b"Newsgroups: starcon.general\r\nSubject: bad bytes\r\n"
                            b"Content-Type: text/plain; charset=utf-8\r\n\r\nok \xff\xfe\xc3 broken\r\n")
        assert code == 441, text


@pytest.mark.parametrize("body,reason", [
    (b"just a body line, no headers\r\n", "no headers"),
    (b"\r\nonly a body after an empty line\r\n", "no headers"),
    (b"Newsgroups: starcon.general\r\n\r\nno subject\r\n", "Subject"),
    (b"Newsgroups: starcon.general\r\nSubject:   \r\n\r\nempty subject\r\n", "Subject"),
    (b"Subject: no groups\r\n\r\nbody\r\n", "Newsgroups"),
    (b"Newsgroups: no.such.group\r\nSubject: x\r\n\r\nbody\r\n", "No such newsgroup"),
    (b"Newsgroups: starcon.general,no.such.group\r\nSubject: x\r\n\r\nbody\r\n", "No such newsgroup"),
    (b"Newsgroups: starcon.general\r\nSubject: x\r\n\r\n", "body"),
    (b"Newsgroups: starcon.general\r\nSubject: x\r\n\r\n   \r\n\r\n", "body"),
    (b"Newsgroups: starcon.general\r\nSubject: x\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n", "text/plain"),
    (b"Newsgroups: starcon.general\r\nBroken header line\r\n\r\nbody\r\n", "header"),
    (b"Newsgroups: " + b",".join(b"starcon.general" if i == 0 else f"g{i}.x".encode() for i in range(11))
     + b"\r\nSubject: x\r\n\r\nbody\r\n", "many"),
])
def test_bad_articles_get_441_and_nothing_is_stored(news, body, reason):
    with news.raw("alice") as c:
        code, text = c.post(body)
        assert code == 441 and reason.lower() in text.lower(), text
        assert c.cmd("DATE")[0] == 111
    assert group_count(news, "starcon.general") == (0, 0)


def test_post_limits_oversized_articles_and_lines(news):
    with news.raw("alice") as c:
        big = "\n".join("가" * 100 for _ in range(2000))  # ≈ 600 kB of UTF-8: over the 500 kB body limit
        code, text = c.post(article("starcon.general", "too big", big))
        assert code == 441 and "large" in text.lower()
        code, text = c.post(b"Newsgroups: starcon.general\r\nSubject: long line\r\n\r\n" + b"x" * 5000 + b"\r\n")
        assert code == 441, text
        fine = "\n".join("나" * 100 for _ in range(1000))  # ≈ 300 kB
        code, text = c.post(article("starcon.general", "big but fine", fine))
        assert code == 240, text
        _, _, body = c.long(f"BODY {message_id_of(text)}")
        assert len(body) == 1000 and body[0] == ("나" * 100).encode()
    assert group_count(news, "starcon.general") == (1, 1)


def test_dot_stuffing_round_trip(news):
    body = ".starts with a dot\n.\n..\n...three\n. \nmiddle . dot\n.\n\n.end"
    client = news.connect("alice")
    message_id = post(client, "starcon.general", "dots", body)
    _, info = client.body(message_id)
    assert [line.decode() for line in info.lines] == body.split("\n")
    client.quit()
    with news.raw("alice") as c:
        # the raw client stuffs by hand; the answer is stuffed on the wire and unstuffed by block()
        code, text = c.post(article("starcon.general", "dots by hand", body))
        assert code == 240, text
        c.send(f"BODY {message_id_of(text)}")
        assert c.status()[0] == 222
        wire = c.block_wire()
        assert wire.split(b"\r\n")[:-1] == [b"..starts with a dot", b"..", b"...", b"....three", b".. ",
                                            b"middle . dot", b"..", b"", b"..end"]
        c.send(f"BODY {message_id}")
        assert c.status()[0] == 222
        assert c.block() == [line.encode() for line in body.split("\n")]


def test_a_body_line_of_one_dot_does_not_end_the_article_early(news):
    with news.raw("alice") as c:
        code, text = c.post(b"Newsgroups: starcon.general\r\nSubject: single dot\r\n\r\nbefore\r\n..\r\nafter\r\n")
        assert code == 240, text
        _, _, body = c.long(f"BODY {message_id_of(text)}")
        assert body == [b"before", b".", b"after"]


# ----------------------------------------------------------------------------------- crossposting and numbers

def test_crossposting_gives_one_article_with_a_number_in_each_group(news):
    client = news.connect("minjun")
    post(client, "starcon.general", "only general", "x")
    message_id = post(client, "campus.sports, starcon.general", "양쪽 그룹에", "교차 게시")
    post(client, "starcon.general,starcon.general", "twice the same group", "y")
    _, info = client.article(message_id)
    headers = headers_of(info.lines)
    assert set(headers["newsgroups"].split(",")) == {"campus.sports", "starcon.general"}
    places = headers["xref"].split()
    assert places[0] == DOMAIN and set(places[1:]) == {"campus.sports:1", "starcon.general:2"}
    assert client.group("starcon.general")[1:4] == (3, 1, 3)
    assert client.group("campus.sports")[1:4] == (1, 1, 1)
    for group, number in [("campus.sports", 1), ("starcon.general", 2)]:
        client.group(group)
        _, info = client.article(number)
        assert info.message_id == message_id and headers_of(info.lines)["xref"] == headers["xref"]
        _, entries = client.over((number, number))
        assert entries[0][1]["xref"] == headers["xref"]
        assert entries[0][1]["message-id"] == message_id
    client.group("starcon.general")
    _, third = client.article(3)
    assert headers_of(third.lines)["xref"] == f"{DOMAIN} starcon.general:3", "a group named twice counts once"
    client.quit()


def test_numbers_are_never_reused_and_failed_posts_leave_no_gap(any_news):
    with any_news.raw("alice") as c:
        numbers = []
        for n in range(3):
            code, text = c.post(article("starcon.general", f"n{n}", "body"))
            assert code == 240
            assert c.post(article("starcon.general,no.such", "fails", "body"))[0] == 441
            assert c.post(b"Newsgroups: starcon.general\r\n\r\nno subject\r\n")[0] == 441
            numbers.append(message_id_of(text))
        code, text, listed = c.long("LISTGROUP starcon.general")
        assert text.startswith("3 1 3 ") and listed == [b"1", b"2", b"3"]
        for number, message_id in enumerate(numbers, start=1):
            assert c.cmd(f"STAT {number}") == (223, f"{number} {message_id} Article exists")


def test_concurrent_posters_get_distinct_consecutive_numbers(any_news):
    posters, per_poster = 5, 6
    errors, ids = [], []
    lock = threading.Lock()

    def work(index):
        try:
            with any_news.raw(["alice", "minjun", "olga", "mod", "boss"][index]) as c:
                for n in range(per_poster):
                    groups = "starcon.general,campus.sports" if n % 2 else "starcon.general"
                    code, text = c.post(article(groups, f"poster {index} #{n}", f"body {index} {n}"))
                    assert code == 240, text
                    with lock:
                        ids.append(message_id_of(text))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    total = posters * per_poster
    with any_news.raw("alice") as c:
        code, text, listed = c.long("LISTGROUP starcon.general")
        assert text.startswith(f"{total} 1 {total} ") and listed == [str(n).encode() for n in range(1, total + 1)]
        crossposted = posters * (per_poster // 2)
        code, text, listed = c.long("LISTGROUP campus.sports")
        assert text.startswith(f"{crossposted} 1 {crossposted} ")
        assert c.cmd("GROUP starcon.general")[0] == 211
        _, _, over = c.long("OVER 1-")
        seen = {line.split(b"\t")[4].decode() for line in over}
        assert seen == set(ids) and len(ids) == total


# ------------------------------------------------------------------------------- moderated and read-only groups

def test_moderated_group_queues_member_posts(news):
    with news.raw("alice") as c:
        code, text = c.post(article("campus.moderated", "please approve", "body"))
        assert code == 240 and "waiting for a moderator" in text
        pending = message_id_of(text)
        assert c.cmd("GROUP campus.moderated") == (211, "0 1 0 campus.moderated")
        for command in ["ARTICLE", "HEAD", "BODY", "STAT", "OVER"]:
            assert c.cmd(f"{command} {pending}")[0] == 430, command
        code, text = c.post(article("campus.moderated,starcon.general", "crossposted into moderation", "body"))
        assert code == 240 and "moderator" in text
        assert c.cmd("GROUP starcon.general")[1].startswith("0 "), "held for every group it names"
    with news.raw("mod") as c:
        code, text = c.post(article("campus.moderated", "from the moderator", "published at once"))
        assert code == 240 and "moderator" not in text, text
        assert c.cmd("GROUP campus.moderated") == (211, "1 1 1 campus.moderated"), "queued posts take no number"


def test_read_only_group_takes_posts_from_staff_only(news):
    for user in ["alice", "minjun"]:
        with news.raw(user) as c:
            code, text = c.post(article("campus.announce", "not allowed", "body"))
            assert code == 441 and "not permitted" in text
            code, _ = c.post(article("campus.announce,starcon.general", "not allowed either", "body"))
            assert code == 441
    assert group_count(news, "starcon.general") == (0, 0)
    for number, user in enumerate(["mod", "boss"], start=1):
        with news.raw(user) as c:
            code, text = c.post(article("campus.announce", f"announcement by {user}", "official"))
            assert code == 240 and "moderator" not in text
            assert c.cmd("GROUP campus.announce")[1].startswith(f"{number} 1 {number} ")


# ------------------------------------------------------------------------------------ bad input and robustness

def test_overlong_command_lines_get_501_and_the_connection_goes_on(news):
    with news.raw("alice") as c:
        assert c.cmd("GROUP " + "a" * 505)[0] == 411, "RFC 3977's 512-octet line is accepted"
        assert c.cmd("X" * 2500)[0] == 501
        assert c.cmd("GROUP starcon.general")[0] == 211
        c.send(b"Y" * 100_000 + b"\r\nDATE\r\n")  # sent in one go: the long line is dropped up to its LF
        assert c.status()[0] == 501
        assert c.status()[0] == 111
        c.send(b"Z" * 3000)  # a long line in pieces
        time.sleep(0.2)
        c.send(b"Z" * 3000 + b"\r\n")
        assert c.status()[0] == 501
        assert c.cmd("DATE")[0] == 111


def test_invalid_utf8_and_control_bytes_in_commands(news):
    with news.raw("alice") as c:
        c.send(b"GROUP \xff\xfe\xfd\r\n")
        assert c.status()[0] == 501
        c.send(b"GROUP \xc3\x28\r\n")
        assert c.status()[0] == 501
        c.send(b"\x00\x01\x02\r\n")
        assert c.status()[0] in (500, 501)
        c.send(b"DATE\n")  # a bare LF ends a line too
        assert c.status()[0] == 111
        assert c.cmd("GROUP starcon.general")[0] == 211


def test_binary_garbage_does_not_hurt_the_server(news):
    generator = random.Random(3977)
    garbage = generator.randbytes(64 * 1024)
    with news.raw("alice") as bystander, news.raw() as c:
        c.send(garbage)
        c.send(b"\r\nDATE\r\n")
        answers = []
        while True:
            code, _ = c.status()
            answers.append(code)
            if code == 111:
                break
        assert set(answers[:-1]) <= {500, 501, 480}, answers
        assert bystander.cmd("GROUP starcon.general")[0] == 211
    server_alive(news)


def test_binary_garbage_inside_a_post(news):
    garbage = random.Random(4643).randbytes(20_000).replace(b"\n.", b"\nx")
    with news.raw("alice") as c:
        code, text = c.cmd("POST")
        assert code == 340
        c.send(b"Newsgroups: starcon.general\r\nSubject: garbage\r\nContent-Type: application/octet-stream\r\n\r\n"
               + garbage + b"\r\n.\r\n")
        assert c.status()[0] == 441
        assert c.cmd("DATE")[0] == 111
    assert group_count(news, "starcon.general") == (0, 0)


def test_an_idle_connection_is_closed_after_the_timeout(quick_idle):
    c = quick_idle.raw("alice")
    started = time.time()
    rest = c.wait_closed(10)
    assert rest.startswith(b"400 ") and 1.5 < time.time() - started < 8
    c.close()


def test_an_active_connection_outlives_the_idle_timeout(quick_idle):
    with quick_idle.raw("alice") as c:
        for _ in range(8):
            assert c.cmd("DATE")[0] == 111
            time.sleep(0.5)


def test_a_post_that_never_ends_is_dropped_after_the_idle_timeout(quick_idle):
    c = quick_idle.raw("alice")
    assert c.cmd("POST")[0] == 340
    c.send(b"Newsgroups: starcon.general\r\nSubject: never ends\r\nMessage-ID: <never-ends@client.example>\r\n\r\n"
           b"first line of a body that never gets its final dot\r\n")
    started = time.time()
    rest = c.wait_closed(15)
    assert 1.5 < time.time() - started < 10
    assert rest == b"" or rest.startswith(b"400 "), rest
    c.close()
    with quick_idle.raw("alice") as other:
        assert other.cmd("STAT <never-ends@client.example>")[0] == 430
        assert other.cmd("GROUP starcon.general") == (211, "0 1 0 starcon.general")


@pytest.mark.parametrize("how", ["fin", "reset"])
def test_a_client_that_disconnects_mid_post_stores_nothing(news, how):
    bystander = news.raw("minjun")
    assert bystander.cmd("GROUP starcon.general")[0] == 211
    c = news.raw("alice")
    assert c.cmd("POST")[0] == 340
    c.send(b"Newsgroups: starcon.general\r\nSubject: half\r\nMessage-ID: <half-sent@client.example>\r\n\r\n"
           b"half of the body\r\n")
    if how == "reset":
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    time.sleep(0.5)
    assert bystander.cmd("DATE")[0] == 111
    with news.raw("olga") as other:
        assert other.cmd("STAT <half-sent@client.example>")[0] == 430
        assert other.cmd("GROUP starcon.general") == (211, "0 1 0 starcon.general")
        code, text = other.post(article("starcon.general", "after the half post", "fine"))
        assert code == 240, text
        assert other.cmd("GROUP starcon.general") == (211, "1 1 1 starcon.general")
    bystander.close()


def test_many_connections_at_once(news):
    clients = [news.raw() for _ in range(40)]
    try:
        for c in clients:
            c.send("DATE")
        for c in clients:
            assert c.status()[0] == 111
    finally:
        for c in clients:
            c.close()
    server_alive(news)


# ------------------------------------------------------------------------- one journey on SQLite and PostgreSQL

def test_reader_journey(any_news):
    """Sign in, post in three languages with a reply and a crosspost, then read it all back."""
    minjun = any_news.connect("minjun")
    olga = any_news.connect("olga")
    root = post(minjun, "starcon.general", "오늘의 질문", "모두 안녕하세요?\n.점으로 시작하는 줄\n.")
    reply = post(olga, "starcon.general", "Re: 오늘의 질문", "Привет из Москвы!", headers=[f"References: {root}"])
    cross = post(minjun, "starcon.general,campus.sports", "日本語のクロスポスト", "両方のグループに")
    assert post(olga, "campus.moderated", "Ждёт модератора", "текст")
    expect_nntp_error(441, olga.post, nntplib_lines("Newsgroups: campus.announce\nSubject: x\n\nnope"))

    reader = any_news.connect("alice")
    _, count, first, last, _ = reader.group("starcon.general")
    assert (count, first, last) == (3, 1, 3)
    _, entries = reader.over((1, 3))
    subjects = [nntplib.decode_header(fields["subject"]) for _, fields in entries]
    assert subjects == ["오늘의 질문", "Re: 오늘의 질문", "日本語のクロスポスト"]
    assert entries[1][1]["references"] == root
    assert entries[2][1]["xref"].split()[1:] == ["campus.sports:1", "starcon.general:3"]
    _, info = reader.body(1)
    assert [line.decode() for line in info.lines] == ["모두 안녕하세요?", ".점으로 시작하는 줄", "."]
    _, info = reader.article(reply)
    assert nntplib.decode_header(headers_of(info.lines)["from"]) == f"Ольга Петрова <olga@{DOMAIN}>"
    assert body_of(info.lines) == ["Привет из Москвы!".encode()]
    assert reader.next()[1] == 2 and reader.next()[2] == cross
    expect_nntp_error(421, reader.next)
    assert reader.group("campus.moderated")[1] == 0
    _, groups = reader.list("campus.*")
    assert {g.group: g.flag for g in groups} == {"campus.sports": "y", "campus.announce": "n", "campus.moderated": "m"}
    for client in (minjun, olga, reader):
        client.quit()


# --------------------------------------------------------------------------------------- real newsreaders

def _seed(srv):
    client = srv.connect("minjun")
    ids = [post(client, "starcon.general", "첫 번째 글", "안녕하세요\n..두 점"),
           post(client, "starcon.general", "Второе сообщение", "Текст\n."),
           post(client, "starcon.general,campus.sports", "三番目の記事", "本文")]
    client.quit()
    return ids


def _run(command, cwd, env=None, timeout=60, stdin=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STARCON_")}
    full_env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **(env or {})})
    return subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, timeout=timeout, input=stdin)


def _read_articles(directory):
    articles = {}
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                data = f.read()
            match = re.search(rb"^Message-ID: (<[^>]+>)", data, re.M)
            if match:
                articles[match.group(1).decode()] = data
    return articles


def _suck(srv, workdir, *extra):
    os.makedirs(os.path.join(workdir, "articles"), exist_ok=True)
    with open(os.path.join(workdir, "sucknewsrc"), "w") as f:
        f.write("starcon.general 0\ncampus.sports 0\n")
    return _run(["suck", "127.0.0.1", "-N", str(srv.nntp_port), "-Q", "-u", "-M", "-dd", workdir, "-dt", workdir,
                 "-dm", os.path.join(workdir, "articles"), "-m", "-H", "-K", "-q", "-T", "20", *extra], workdir,
                env={"NNTP_USER": "alice", "NNTP_PASS": PASSWORD})


@pytest.mark.skipif(not tool("suck"), reason="apt-get install suck")
def test_suck_fetches_every_article_with_xover(news, tmp_path):
    ids = _seed(news)
    result = _suck(news, str(tmp_path), "-Z")
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    fetched = _read_articles(tmp_path / "articles")
    assert set(fetched) == set(ids), "the crosspost is fetched once"
    first = fetched[ids[0]]
    assert "안녕하세요\n..두 점".encode() in first.replace(b"\r\n", b"\n")
    assert b"\n.\n" in fetched[ids[1]].replace(b"\r\n", b"\n")
    newrc = (tmp_path / "suck.newrc").read_text()
    assert "starcon.general 3" in newrc and "campus.sports 1" in newrc


@pytest.mark.skipif(not tool("suck"), reason="apt-get install suck")
def test_suck_fetches_every_article_with_xhdr(news, tmp_path):
    ids = _seed(news)
    result = _suck(news, str(tmp_path))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert set(_read_articles(tmp_path / "articles")) == set(ids)


@pytest.mark.skipif(not tool("rpost"), reason="apt-get install suck (it has rpost)")
def test_rpost_posts_an_article(news, tmp_path):
    text = ("Newsgroups: campus.sports\nSubject: 축구 경기 결과\nFrom: forged@example.com\n\n"
            "어제 경기는 3:1로 이겼습니다.\n.점으로 시작\n.\n끝\n").encode()
    result = _run(["rpost", "127.0.0.1", "-N", str(news.nntp_port), "-Q", "-u", "-M", "-T", "20"], str(tmp_path),
                  env={"NNTP_USER": "olga", "NNTP_PASS": PASSWORD}, stdin=text)
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, output
    assert "240 Article received" in output
    client = news.connect()
    client.group("campus.sports")
    _, info = client.article(1)
    headers = headers_of(info.lines)
    assert nntplib.decode_header(headers["subject"]) == "축구 경기 결과"
    assert headers["from"].endswith(f"<olga@{DOMAIN}>")
    assert [line.decode() for line in body_of(info.lines)] == ["어제 경기는 3:1로 이겼습니다.", ".점으로 시작", ".", "끝"]
    client.quit()
    bad = _run(["rpost", "127.0.0.1", "-N", str(news.nntp_port), "-Q", "-u", "-M", "-T", "20"], str(tmp_path),
               env={"NNTP_USER": "olga", "NNTP_PASS": "wrong password"}, stdin=text)
    assert bad.returncode != 0 and b"481" in bad.stdout + bad.stderr


@pytest.mark.skipif(not tool("slrnpull"), reason="apt-get install slrnpull")
def test_slrnpull_fetches_a_group(news, tmp_path):
    ids = _seed(news)
    (tmp_path / "slrnpull.conf").write_text("default 100 0 0\nstarcon.general\ncampus.sports\n")
    (tmp_path / "authinfo").write_text(f"alice\n{PASSWORD}\n")
    os.chmod(tmp_path / "authinfo", 0o600)
    result = _run(["slrnpull", "-d", str(tmp_path), "-h", f"127.0.0.1:{news.nntp_port}", "--no-post",
                   "--debug", str(tmp_path / "dialogue.txt")], str(tmp_path))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert set(_read_articles(tmp_path / "news")) == set(ids)


def _tin_home(tmp_path, user="alice"):
    home = tmp_path / "home"
    (home / ".tin").mkdir(parents=True)
    (home / ".newsrc").write_text("starcon.general:\ncampus.sports:\n")
    (home / ".newsauth").write_text(f'127.0.0.1 "{PASSWORD}" {user}\n')
    os.chmod(home / ".newsauth", 0o600)
    # A From address and UTF-8 on the wire; everything else stays at tin's defaults.
    (home / ".tin" / "tinrc").write_text(f"mail_address={user}@{DOMAIN}\nmm_network_charset=UTF-8\n")
    return home


@pytest.mark.skipif(not tool("tin"), reason="apt-get install tin")
def test_tin_batch_mode_saves_every_article(news, tmp_path):
    ids = _seed(news)
    home = _tin_home(tmp_path)
    saved = tmp_path / "saved"
    result = _run(["tin", "-r", "-g", "127.0.0.1", "-p", str(news.nntp_port), "-A", "-S", "-v", "-q", "-d", "-n",
                   "-s", str(saved), "-f", str(home / ".newsrc")], str(tmp_path), env={"HOME": str(home)})
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, output
    assert "Authorized for user: alice" in output
    for subject in ["첫 번째 글", "Второе сообщение", "三番目の記事"]:
        assert subject in output, output  # tin lists the decoded subjects as it saves
    fetched = _read_articles(saved)
    assert set(fetched) == set(ids)
    assert "\n..두 점".encode() in fetched[ids[0]], "tin saves the body un-dot-stuffed"


class Tmux:
    def __init__(self, name, command, env):
        self.name = name
        exports = " ".join(f"{k}={shell_quote(v)}" for k, v in env.items())
        subprocess.run(["tmux", "-u", "new-session", "-d", "-s", name, "-x", "132", "-y", "40",
                        f"env {exports} {command}; sleep 30"], check=True)

    def screen(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def wait_for(self, *needles, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            screen = self.screen()
            if all(needle in screen for needle in needles):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"waited for {needles}; the screen shows:\n{self.screen()}")

    def keys(self, *keys, literal=False):
        subprocess.run(["tmux", "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys], check=True)

    def kill(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def shell_quote(value):
    return "'" + str(value).replace("'", "'\\''") + "'"


@pytest.mark.skipif(not (tool("tin") and tool("tmux")), reason="apt-get install tin tmux")
def test_tin_interactive_reading_under_tmux(news, tmp_path):
    """tin as a person uses it, in a terminal: the group list with counts, the thread list with decoded
    Korean, Russian and Japanese subjects and display names, an article; then a new article written in
    tin's editor (a script standing in for the person typing) and posted with 'p', which readers see."""
    _seed(news)
    home = _tin_home(tmp_path, user="olga")
    editor = tmp_path / "editor.sh"
    # tin calls the editor with the article file last; the "person" adds a line of text to the body.
    editor.write_text('#!/bin/sh\nfor f; do :; done\nprintf \'Привет из tin, 안녕하세요\\n\' >> "$f"\n')
    editor.chmod(0o755)
    env = {"HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm", "EDITOR": str(editor), "VISUAL": str(editor)}
    session = Tmux(f"starcon-tin-{os.getpid()}-{news.nntp_port}",
                   f"tin -r -g 127.0.0.1 -p {news.nntp_port} -A -q -d -n -f {home / '.newsrc'}", env)
    try:
        screen = session.wait_for("Group Selection", "starcon.general", "campus.sports")
        assert re.search(r"3\s+starcon\.general", screen), screen
        session.keys("Enter")  # open the first group: the thread list shows decoded subjects and display names
        session.wait_for("첫 번째 글", "Второе сообщение", "三番目の記事", "김민준")
        session.keys("Enter")  # open the first article
        session.wait_for("안녕하세요")  # the dot line is checked byte for byte in the batch test
        session.keys("q")
        session.wait_for("三番目の記事")
        session.keys("q")
        session.wait_for("Group Selection")
        session.keys("w")  # post to the group under the cursor
        session.wait_for("Post subject")
        session.keys("Written in tin", literal=True)
        session.keys("Enter")
        session.wait_for("p=post")  # the editor ran; tin asks what to do with the article
        session.keys("p")
        deadline = time.time() + 20
        while True:
            client = news.connect("minjun")
            _, count, _, last, _ = client.group("starcon.general")
            if count == 4:
                break
            client.quit()
            assert time.time() < deadline, "tin's article did not arrive:\n" + session.screen()
            time.sleep(0.3)
        _, info = client.article(str(last))
        text = b"\n".join(info.lines).decode()
        client.quit()
        assert "Subject: Written in tin" in text and "<olga@" in text and "Привет из tin, 안녕하세요" in text, text
        session.keys("q")
    finally:
        session.kill()

"""Announcements from the command line and the admin page, on every surface at once: the sign-in page and
every page in the viewer's language (dismissed without script), Mastodon.py's `announcements()` and
`announcement_dismiss()`, the streaming `announcement` / `announcement.delete` events, an article read with
nntplib, a copy in INBOX read with imaplib, the messenger's stream, and a second node on the same PostgreSQL.
Also the admin dashboard and its figures in /metrics."""
import imaplib
import json
import re
import threading
import time
import warnings

import pytest
import requests
from mastodon import Mastodon, StreamListener
from websockets.sync.client import connect

from conftest import PASSWORD, Server
from test_nodes import Nodes, messenger_stream, next_event
from webclient import WebClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib

WATER_EN, WATER_KO = "Water off 9-12 tomorrow", "내일 9-12시 단수"


def add(server, name, role=None):
    args = ["user", "add", name] + (["--role", role] if role else [])
    result = server.cli(*args, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


def announce(server, *args):
    result = server.cli("announce", *args)
    assert result.returncode == 0, result.stderr
    return re.search(r"announced (\d+)", result.stdout).group(1)


def mastodon(server, name, lang=None):
    cid, secret = Mastodon.create_app("announce e2e", scopes=["read", "write"], api_base_url=server.url)
    api = Mastodon(client_id=cid, client_secret=secret, api_base_url=server.url, version_check_mode="none", lang=lang)
    api.log_in(name, PASSWORD, scopes=["read", "write"])
    return api


def until(check, timeout=20):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(0.3)


def shown(page_html):
    return re.findall(r'<p class="announcement-text">([^<]*)</p>', page_html)


@pytest.fixture
def world(any_server):
    add(any_server, "root", "admin")
    for name in ["kim", "olga"]:
        add(any_server, name)
    return any_server


def test_cli_announcement_reaches_every_surface(world):
    announcement_id = announce(world, WATER_EN, "--severity", "warning", "--expires", "24", "--lang", "ko", WATER_KO)

    # The sign-in page, in the visitor's language; English for a language it was not written in.
    for language, expected in [("ko-KR,ko;q=0.9", WATER_KO), ("en-US", WATER_EN), ("ru", WATER_EN)]:
        page = WebClient(world.url, language=language).get("/login")
        assert shown(page.text) == [expected], language
        assert 'class="announcement announcement-warning"' in page.text
        assert 'name="back" value="/"' in page.text, "a visitor's page echoes no return path"

    # A visitor dismisses it with the plain form: a cookie of ids, back to the Referer's local path only.
    visitor = WebClient(world.url)
    jar = visitor.session.cookies
    for referer, back in [(world.url + "/login?next=/messages", "/login?next=/messages"),
                          ("https://elsewhere.example//evil.example/x", "/"), ("not a url", "/")]:
        for cookie in [c for c in jar if c.name == "sc_dismissed"]:
            jar.clear(cookie.domain, cookie.path, cookie.name)
        jar.set("sc_dismissed", "x.99999999999999999999999.-4", domain="127.0.0.1", path="/")
        done = visitor.post(f"/announcements/{announcement_id}/dismiss", {}, page="/login", allow_redirects=False,
                            headers={"Referer": referer})
        assert done.status_code == 303 and done.headers["Location"] == back, referer
        assert [c.value for c in jar if c.name == "sc_dismissed"] == [announcement_id], "a forged value is dropped"
    assert shown(visitor.get("/login").text) == [] and shown(WebClient(world.url).get("/login").text) == [WATER_EN]
    unknown = visitor.post("/announcements/777/dismiss", {}, page="/login", allow_redirects=False)
    assert unknown.status_code == 404 and [c.value for c in jar if c.name == "sc_dismissed"] == [announcement_id]

    # Mastodon.py: listed in the app's language, dismissed, then gone (and `read` with with_dismissed).
    kim = mastodon(world, "kim", lang="ko")
    listed = kim.announcements()
    assert [a["id"] for a in listed] == [announcement_id] and WATER_KO in listed[0]["content"]
    assert listed[0]["read"] is False and listed[0]["ends_at"] is not None
    kim.announcement_dismiss(announcement_id)
    assert kim.announcements() == []
    token = kim.access_token
    again = requests.get(world.url + "/api/v1/announcements?with_dismissed=true", headers={"Authorization": f"Bearer {token}"}).json()
    assert [a["read"] for a in again] == [True]
    missing = requests.post(world.url + "/api/v1/announcements/123/dismiss", headers={"Authorization": f"Bearer {token}"})
    assert missing.status_code == 404

    # The web: on every page of a member until they dismiss it with a plain form, which returns to that page.
    olga = WebClient(world.url)
    olga.login("olga")
    page = olga.get("/messages")
    assert shown(page.text) == [WATER_EN] and f'action="/announcements/{announcement_id}/dismiss"' in page.text
    forged = olga.session.post(world.url + f"/announcements/{announcement_id}/dismiss", data={"back": "/messages"})
    assert forged.status_code == 403 and shown(olga.get("/messages").text) == [WATER_EN], "no CSRF token: nothing changes"
    done = olga.post(f"/announcements/{announcement_id}/dismiss", {"back": "/messages"}, page="/messages")
    assert done.url.endswith("/messages") and shown(done.text) == []
    assert shown(olga.get("/").text) == [], "dismissed for good"
    assert shown(WebClient(world.url).get("/login").text) == [WATER_EN], "still shown to others"

    # Newsreaders: an article in the read-only announcements group, every language in it.
    def article():
        with nntplib.NNTP("127.0.0.1", news_port(world), user="kim", password=PASSWORD) as news:
            try:
                _, count, _, last, _ = news.group("starcon.announcements")
            except nntplib.NNTPTemporaryError:
                return None
            return count and "\n".join(line.decode() for line in news.article(last)[1].lines)
    text = until(article)
    assert text and f"Message-ID: <announcement-{announcement_id}@" in text and WATER_EN in text and WATER_KO in text

    # Mail clients: a copy in INBOX.
    def inbox():
        imap = imaplib.IMAP4("127.0.0.1", imap_port(world))
        imap.login("olga", PASSWORD)
        imap.select("INBOX")
        _, found = imap.search(None, "HEADER", "X-Starcon-Announcement", announcement_id)
        ids = found[0].split()
        body = ids and imap.fetch(ids[-1], "(RFC822)")[1][0][1].decode()
        imap.logout()
        return body
    mail = until(inbox)
    assert mail and "Subject: Water off 9-12 tomorrow" in mail

    # A member who joins after it was published finds it in their INBOX too.
    add(world, "late")
    imap = imaplib.IMAP4("127.0.0.1", imap_port(world))
    imap.login("late", PASSWORD)
    imap.select("INBOX")
    found = imap.search(None, "HEADER", "X-Starcon-Announcement", announcement_id)[1][0].split()
    assert len(found) == 1, "the new member's copy, once"
    imap.logout()


def news_port(server):
    return int(server.extra[server.extra.index("--nntp-port") + 1])


def imap_port(server):
    return int(server.extra[server.extra.index("--imap-port") + 1])


def test_streaming_events_and_the_admin_page(world):
    olga = mastodon(world, "olga")
    events = []

    class Listener(StreamListener):
        def on_announcement(self, announcement):
            events.append(("announcement", announcement))

        def on_announcement_delete(self, announcement_id):
            events.append(("delete", str(announcement_id)))

    handle = olga.stream_user(Listener(), run_async=True, reconnect_async=False)
    try:
        time.sleep(1)
        root = WebClient(world.url)
        root.login("root")
        # Bad input is refused with the form's message and publishes nothing.
        refused = root.post("/admin/announcements", {"severity": "alert", "expires_hours": "5"})
        assert refused.status_code == 422 and "at least one language" in refused.text
        refused = root.post("/admin/announcements", {"severity": "loud", "text_en": "x"})
        assert refused.status_code == 422
        assert olga.announcements() == []
        page = root.post("/admin/announcements", {"severity": "alert", "expires_hours": "", "text_en": "Fire drill at noon",
                                                  "text_ja": "正午に避難訓練"})
        assert page.status_code == 200 and "Fire drill at noon" in page.text
        assert until(lambda: events), "the streaming announcement event"
        kind, entity = events[0]
        assert kind == "announcement" and "Fire drill at noon" in entity["content"]
        announcement_id = str(entity["id"])
        root.post(f"/admin/announcements/{announcement_id}/end", {}, page="/admin/announcements")
        assert until(lambda: len(events) > 1), "the streaming announcement.delete event"
        assert events[1] == ("delete", announcement_id)
        assert olga.announcements() == []
        # A member may not publish.
        kim = WebClient(world.url)
        kim.login("kim")
        assert kim.get("/admin/announcements").status_code == 403
    finally:
        handle.close()


def test_announcement_from_the_cli_reaches_the_other_node(tmp_path, pg_database):
    pair = Nodes(tmp_path, pg_database)
    try:
        second = pair.nodes[1]
        root = pair.nodes[0].cli("user", "add", "root", "--role", "admin", stdin=PASSWORD + "\n")
        assert root.returncode == 0
        live = requests.get(second.url + "/announcements/live?back=/login", stream=True, timeout=20,
                            headers={"Accept-Language": "ko"})
        ws, _, _ = messenger_stream(second.url, pair.tokens["lee"])
        lines = live.iter_lines(decode_unicode=True)
        assert next(lines).startswith("retry:")
        announce(pair.nodes[0], WATER_EN, "--lang", "ko", WATER_KO)
        frame = next_event(ws, "announcement", timeout=10)
        assert frame["text"] == WATER_EN and frame["language"] == "en"
        seen = []
        for line in lines:
            seen.append(line)
            if line.startswith("data: <div"):
                break
        assert "event: announcement" in seen and WATER_KO in seen[-1]
        assert shown(WebClient(second.url).get("/login").text) == [WATER_EN]
        ws.close()
        live.close()
    finally:
        pair.stop()


def test_dashboard_figures_and_metrics(data_dir):
    server = Server(data_dir, env={"STARCON_METRICS_TOKEN": "metrics-secret"})
    add(server, "root", "admin")
    add(server, "kim")
    server.start()
    try:
        root = WebClient(server.url, language="ru")
        root.login("root")
        mastodon(server, "kim").status_post("hello")
        page = root.get("/admin/dashboard")
        assert page.status_code == 200
        assert page.text.count('<svg class="dash-chart"') == 6 and " style=" not in page.text
        assert "Регистрации" in page.text and "Открытые жалобы" in page.text
        assert "<dt>Частное лицо</dt><dd>2</dd>" in page.text, "two people"
        assert WebClient(server.url).get("/admin/dashboard").url.endswith("/login?next=/admin/dashboard")
        metrics = requests.get(server.url + "/metrics", headers={"Authorization": "Bearer metrics-secret"}).text
        assert 'starcon_members{kind="person"} 2' in metrics
        assert 'starcon_items_today{kind="post"} 1' in metrics
        assert re.search(r'starcon_storage_bytes\{part="database"\} [1-9]', metrics)
        assert "starcon_active_members_today 2" in metrics
        assert "starcon_open_reports 0" in metrics and '<a href="/admin/reports">0</a>' in page.text
    finally:
        server.stop()

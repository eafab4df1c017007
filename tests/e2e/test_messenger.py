"""The messenger through its real surfaces on both engines: the JSON API with `requests`, the live stream with
the `websockets` client (resume without gaps or duplicates, idempotent sends, bad frames and bad tokens that
close only their own connection), the web pages without JavaScript, and a SIGKILL in mid-conversation."""
import json
import re
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import PASSWORD, Server
from webclient import WebClient

MEMBERS = ["kim", "lee", "park"]
FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures"


def fixture(name):
    return (FIXTURES / name).read_bytes()
STREAM_ENV = {}


class Member:
    def __init__(self, base, name, token, app):
        self.base, self.name, self.token, self.app = base, name, token, app
        self.headers = {"Authorization": f"Bearer {token}"}

    def upload(self, name="oriented.jpg", mime="image/jpeg", description="", expect=200):
        response = requests.post(self.base + "/api/v2/media", headers=self.headers, files={"file": (name, fixture(name), mime)},
                                 data={"description": description}, timeout=30)
        assert response.status_code == expect, (response.status_code, response.text[:300])
        return response.json()

    def call(self, method, path, expect=200, **kwargs):
        response = requests.request(method, self.base + "/api/starcon/v1" + path, headers=self.headers, timeout=15, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.text[:300])
        return response.json()

    def stream(self, last_id=None, token=None, last_seq=None):
        url = self.base.replace("http://", "ws://") + "/api/starcon/v1/stream?access_token=" + (token or self.token)
        if last_id is not None:
            url += f"&last_id={last_id}"
        if last_seq is not None:
            url += f"&last_seq={last_seq}"
        return Stream(connect(url, open_timeout=10, close_timeout=5, max_size=2**22))


class Stream:
    def __init__(self, ws):
        self.ws = ws
        self.pending = []
        # A replay comes before `ready`: keep those frames for the test to read.
        while True:
            frame = json.loads(self.ws.recv(timeout=15))
            if frame["event"] == "ready":
                self.ready = frame["payload"]
                break
            self.pending.append(frame)

    def frame(self, timeout=10):
        if self.pending:
            return self.pending.pop(0)
        return json.loads(self.ws.recv(timeout=timeout))

    def next(self, event, timeout=10):
        deadline = time.time() + timeout
        while True:
            frame = self.frame(timeout=max(0.1, deadline - time.time()))
            if frame["event"] == event:
                return frame["payload"]

    def messages(self, count, timeout=15):
        got = []
        deadline = time.time() + timeout
        while len(got) < count:
            frame = self.frame(timeout=max(0.1, deadline - time.time()))
            if frame["event"] == "message":
                got.append(frame["payload"])
        return got

    def quiet(self, seconds=0.7):
        """Frames that arrive within `seconds` (to show nothing more comes)."""
        frames = []
        try:
            while True:
                frames.append(json.loads(self.ws.recv(timeout=seconds)))
        except TimeoutError:
            return frames

    def close_reason(self, timeout=10):
        try:
            while True:
                self.ws.recv(timeout=timeout)
        except ConnectionClosed as closed:
            return closed.rcvd.code, closed.rcvd.reason
        raise AssertionError("the stream did not close")

    def close(self):
        self.ws.close()


def tokens(base, names):
    app = requests.post(base + "/api/v1/apps", data={"client_name": "messenger e2e", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                      "scopes": "read write"}, timeout=10).json()
    members = {}
    for name in names:
        token = requests.post(base + "/oauth/token", data={
            "grant_type": "password", "username": name, "password": PASSWORD, "client_id": app["client_id"],
            "client_secret": app["client_secret"], "scope": "read write"}, timeout=30).json()["access_token"]
        members[name] = Member(base, name, token, app)
    return members


def start(request, data_dir, engine):
    database = request.getfixturevalue("pg_database") if engine == "postgres" else None
    srv = Server(data_dir, database=database, env=STREAM_ENV, extra=["--nntp-port", "0"])
    for name in MEMBERS:
        result = srv.cli("user", "add", name, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    return srv.start()


@pytest.fixture(params=["sqlite", "postgres"])
def chat(request, data_dir):
    srv = start(request, data_dir, request.param)
    members = tokens(srv.url, MEMBERS)
    members["server"] = srv
    yield members
    srv.stop()


def ids(messages):
    return [int(m["id"]) for m in messages]


def test_conversations_messages_paging_and_errors(chat):
    kim, lee, park = chat["kim"], chat["lee"], chat["park"]
    direct = kim.call("POST", "/conversations", json={"members": ["lee"]})
    assert direct["kind"] == "direct" and sorted(m["username"] for m in direct["members"]) == ["kim", "lee"]
    assert lee.call("POST", "/conversations", json={"members": ["kim"]})["id"] == direct["id"], "1:1 is idempotent"
    cid = direct["id"]
    texts = ["안녕하세요", "Привет", "こんにちは", "你好 https://intra.example/x", "<b>&amp;</b>"]
    sent = [kim.call("POST", f"/conversations/{cid}/messages", json={"text": t}) for t in texts]
    assert sent[0]["text"] == "안녕하세요" and sent[0]["sender"]["username"] == "kim" and sent[0]["attachments"] == []
    assert sent[4]["text"] == "<b>&amp;</b>", "the API returns text as sent; pages escape it"
    newest = lee.call("GET", f"/conversations/{cid}/messages?limit=2")
    assert ids(newest) == ids(sent[::-1][:2])
    older = lee.call("GET", f"/conversations/{cid}/messages?limit=2&before={newest[-1]['id']}")
    assert ids(older) == ids(sent[::-1][2:4])
    after = lee.call("GET", f"/conversations/{cid}/messages?limit=2&after={sent[0]['id']}")
    assert ids(after) == [int(sent[2]["id"]), int(sent[1]["id"])]
    listed = lee.call("GET", "/conversations")
    assert listed[0]["id"] == cid and listed[0]["unread"] == 5 and listed[0]["last_message"]["id"] == sent[4]["id"]
    read = lee.call("POST", f"/conversations/{cid}/read", json={"up_to": sent[2]["id"]})
    assert read["unread"] == 2 and lee.call("GET", "/unread")["unread"] == 2
    assert [m["text"] for m in lee.call("GET", f"/conversations/{cid}/search", params={"q": "ПРИВЕТ".lower()})] == ["Привет"]
    # Errors.
    assert kim.call("POST", f"/conversations/{cid}/messages", json={"text": "   "}, expect=422)["error"]
    assert "10000" in kim.call("POST", f"/conversations/{cid}/messages", json={"text": "x" * 10001}, expect=422)["error"]
    assert kim.call("POST", f"/conversations/{cid}/messages", json={"text": "가" * 10000})["text"] == "가" * 10000
    assert kim.call("POST", f"/conversations/{cid}/messages", json={"text": "pic", "media_ids": ["1"]}, expect=422)["error"] == \
        "Validation failed: a media id is not one of your unattached uploads"
    for method, path in [("GET", f"/conversations/{cid}"), ("GET", f"/conversations/{cid}/messages"),
                         ("POST", f"/conversations/{cid}/messages"), ("GET", f"/messages/{sent[0]['id']}"),
                         ("DELETE", f"/messages/{sent[0]['id']}"), ("POST", f"/conversations/{cid}/read")]:
        body = park.call(method, path, json={"text": "hi", "up_to": sent[0]["id"]}, expect=404)
        assert body == {"error": "Record not found"}, "a non-member learns nothing"
    assert requests.get(kim.base + "/api/starcon/v1/conversations", timeout=10).status_code == 401
    bad = requests.post(kim.base + f"/api/starcon/v1/conversations/{cid}/messages", headers={**kim.headers, "Content-Type": "application/json"},
                        data=b'{"text": "\xff\xfe"}', timeout=10)
    assert bad.status_code in (400, 422) and "error" in bad.json(), "invalid UTF-8 is refused"
    # Edit and delete own messages only.
    assert lee.call("PUT", f"/messages/{sent[0]['id']}", json={"text": "x"}, expect=403)["error"]
    edited = kim.call("PUT", f"/messages/{sent[0]['id']}", json={"text": "안녕!"})
    assert edited["text"] == "안녕!" and edited["edited_at"]
    kim.call("DELETE", f"/messages/{sent[1]['id']}")
    assert sent[1]["id"] not in [m["id"] for m in lee.call("GET", f"/conversations/{cid}/messages")]


def test_groups_members_and_leaving(chat):
    kim, lee, park = chat["kim"], chat["lee"], chat["park"]
    group = kim.call("POST", "/conversations", json={"members": ["lee"], "title": "Team", "group": True})
    gid = group["id"]
    assert group["kind"] == "group" and group["title"] == "Team" and group["role"] == "admin"
    assert len(kim.call("POST", f"/conversations/{gid}/members", json={"members": ["park"]})["members"]) == 3
    assert kim.call("POST", f"/conversations/{gid}/members", json={"members": ["park"]}, expect=409)["error"]
    assert lee.call("POST", f"/conversations/{gid}/members", json={"members": ["kim"]}, expect=403)["error"]
    assert lee.call("PATCH", f"/conversations/{gid}", json={"title": "Mine"}, expect=403)["error"]
    assert kim.call("PATCH", f"/conversations/{gid}", json={"title": "팀"})["title"] == "팀"
    park_id = next(m["id"] for m in group["members"] + kim.call("GET", f"/conversations/{gid}")["members"] if m["username"] == "park")
    kim.call("DELETE", f"/conversations/{gid}/members/{park_id}")
    park.call("POST", f"/conversations/{gid}/messages", json={"text": "still here?"}, expect=404)
    lee.call("POST", f"/conversations/{gid}/leave")
    lee.call("POST", f"/conversations/{gid}/messages", json={"text": "after leaving"}, expect=404)
    assert [m["username"] for m in kim.call("GET", f"/conversations/{gid}")["members"]] == ["kim"]
    muted = kim.call("POST", f"/conversations/{gid}/mute")
    assert muted["muted"] is True


def test_live_stream_idempotent_send_and_resume_without_gaps(chat):
    kim, lee = chat["kim"], chat["lee"]
    cid = kim.call("POST", "/conversations", json={"members": ["lee"]})["id"]
    stream = lee.stream()
    first = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "one", "client_key": "k1"})
    retry = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "one", "client_key": "k1"})
    assert retry["id"] == first["id"], "a retried send is not stored twice"
    live = stream.messages(1)
    assert live[0] == first, "the frame carries the same object as REST"
    assert [f for f in stream.quiet() if f["event"] == "message"] == [], "the retry is not delivered again"
    kim.call("POST", f"/conversations/{cid}/typing")
    assert stream.next("typing")["account"]["username"] == "kim"
    stream.close()

    # Missed while away: resume with the last id seen gets exactly those, in order, then live ones.
    missed = [kim.call("POST", f"/conversations/{cid}/messages", json={"text": f"missed {n}"}) for n in range(5)]
    stream = lee.stream(last_id=first["id"])
    assert ids(stream.messages(5)) == ids(missed)
    later = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "live again"})
    assert ids(stream.messages(1)) == [int(later["id"])]
    stream.close()

    # Resume while messages are being sent: no gap and no duplicate at the handoff.
    all_ids = [int(first["id"])] + ids(missed) + [int(later["id"])]
    sent_during = []

    def sender():
        for n in range(60):
            sent_during.append(int(kim.call("POST", f"/conversations/{cid}/messages", json={"text": f"burst {n}", "client_key": f"b{n}"})["id"]))

    thread = threading.Thread(target=sender)
    thread.start()
    time.sleep(0.05)
    streams = [lee.stream(last_id=0) for _ in range(3)]
    thread.join()
    expected = all_ids + sent_during
    for s in streams:
        got = ids(s.messages(len(expected)))
        assert got == expected
        assert [f for f in s.quiet() if f["event"] == "message"] == []
        s.close()

    # A resume frame works like last_id.
    s = lee.stream()
    s.ws.send(json.dumps({"type": "resume", "last_id": str(expected[-3])}))
    assert ids(s.messages(2)) == expected[-2:]
    s.ws.send(json.dumps({"type": "ping"}))
    assert s.next("pong") == {}
    s.ws.send(json.dumps({"type": "read", "conversation_id": cid, "up_to": str(expected[-1])}))
    # The read frame is handled asynchronously: wait for it rather than race it.
    deadline = time.time() + 10
    while lee.call("GET", f"/conversations/{cid}")["unread"] != 0 and time.time() < deadline:
        time.sleep(0.05)
    assert lee.call("GET", f"/conversations/{cid}")["unread"] == 0
    s.close()


def test_bad_frames_close_only_their_own_connection(chat):
    kim, lee = chat["kim"], chat["lee"]
    cid = kim.call("POST", "/conversations", json={"members": ["lee"]})["id"]
    healthy = lee.stream()
    garbage = lee.stream()
    garbage.ws.send("this is not json")
    assert garbage.close_reason()[0] == 1008
    binary = lee.stream()
    binary.ws.send(b"\x00\x01\x02")
    assert binary.close_reason()[0] == 1003
    oversized = lee.stream()
    try:
        oversized.ws.send(json.dumps({"type": "typing", "pad": "x" * 100_000}))
        code, _ = oversized.close_reason()
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else 1009
    assert code in (1009, 1002)
    message = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "still alive"})
    assert healthy.messages(1)[0]["id"] == message["id"], "every other connection carries on"
    healthy.close()


def test_bad_revoked_token_and_suspension_close_the_stream(chat):
    kim, lee = chat["kim"], chat["lee"]
    ws = connect(kim.base.replace("http://", "ws://") + "/api/starcon/v1/stream?access_token=nonsense", open_timeout=10)
    try:
        ws.recv(timeout=10)
        raise AssertionError("a bad token must not get frames")
    except ConnectionClosed as closed:
        assert closed.rcvd.code == 1008 and "invalid" in closed.rcvd.reason
    stream = kim.stream()
    response = requests.post(kim.base + "/oauth/revoke", data={"token": kim.token, "client_id": kim.app["client_id"],
                                                              "client_secret": kim.app["client_secret"]}, timeout=10)
    assert response.status_code == 200
    code, reason = stream.close_reason(timeout=10)
    assert code == 1008 and "revoked" in reason
    stream = lee.stream()
    mastodon = connect(lee.base.replace("http://", "ws://") + f"/api/v1/streaming?access_token={lee.token}&stream=user",
                       open_timeout=10, close_timeout=5)
    # `starcon user suspend` is another process: its suspension reaches the server's streams through the event log.
    result = chat["server"].cli("user", "suspend", "lee", "--reason", "test")
    assert result.returncode == 0, result.stderr
    code, reason = stream.close_reason(timeout=10)
    assert code == 1008
    try:
        mastodon.recv(timeout=10)
        raise AssertionError("the Mastodon stream must close too")
    except ConnectionClosed as closed:
        assert closed.rcvd.code == 1008


def test_the_web_pages_work_without_javascript(chat):
    kim = WebClient(chat["server"].url)
    kim.login("kim")
    page = kim.post("/messages", {"members": "lee", "title": ""}, page="/messages")
    assert page.status_code == 200 and "/messages/" in page.url
    cid = page.url.rstrip("/").split("/")[-1].split("#")[0]
    key_page = kim.get(f"/messages/{cid}")
    key = re.search(r'name="client_key" value="([^"]+)"', key_page.text).group(1)
    for _ in range(2):  # a double submit stores one message
        sent = kim.post(f"/messages/{cid}/send", {"text": "<i>안녕</i> https://intra.example/a", "client_key": key}, page=f"/messages/{cid}")
        assert sent.status_code == 200
    assert sent.text.count("&lt;i&gt;안녕&lt;/i&gt;") == 1 and 'href="https://intra.example/a"' in sent.text
    empty = kim.post(f"/messages/{cid}/send", {"text": " ", "client_key": "x"}, page=f"/messages/{cid}")
    assert empty.status_code == 422 and "Write a message first." in empty.text
    lee = WebClient(chat["server"].url, language="ko")
    lee.login("lee")
    listing = lee.get("/messages")
    assert 'class="unread-count"' in listing.text and 'class="nav-count"' in listing.text
    conversation = lee.get(f"/messages/{cid}")
    assert "&lt;i&gt;안녕&lt;/i&gt;" in conversation.text and "보내기" in conversation.text
    assert 'class="unread-count"' not in lee.get("/messages").text, "reading the page marks it read"
    park = WebClient(chat["server"].url)
    park.login("park")
    assert park.get(f"/messages/{cid}").status_code == 404


def form_fields(page_html, form_id):
    """The hidden fields of one form on a page (client key, reply target), as a browser would send them."""
    form = re.search(r'<form[^>]*id="%s".*?</form>' % form_id, page_html, re.S).group(0)
    return {name: html_unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)"[^>]*value="([^"]*)"', form)}


def html_unescape(text):
    import html
    return html.unescape(text)


def test_reply_and_edit_on_the_web_pages_without_javascript(chat):
    kim_api, lee_api = chat["kim"], chat["lee"]
    kim = WebClient(chat["server"].url)
    kim.login("kim")
    lee = WebClient(chat["server"].url, language="ko")
    lee.login("lee")
    cid = kim_api.call("POST", "/conversations", json={"members": ["lee"]})["id"]
    first = kim_api.call("POST", f"/conversations/{cid}/messages", json={"text": "점심 <b>어디서</b> 먹을까요?\n둘째 줄"})
    stream = lee_api.stream()

    # Lee follows the Reply link: the page quotes the message above the composer and carries its id.
    page = lee.get(f"/messages/{cid}")
    assert f'href="/messages/{cid}?reply_to={first["id"]}#compose"' in page.text
    assert f'/m/{first["id"]}/edit' not in page.text, "no Edit link on someone else's message"
    page = lee.get(f"/messages/{cid}?reply_to={first['id']}")
    preview = re.search(r'<div class="reply-preview"[^>]*>.*?</div>', page.text, re.S).group(0)
    assert " hidden" not in preview.split(">")[0] and "kim님에게 답장" in preview
    assert "점심 &lt;b&gt;어디서&lt;/b&gt; 먹을까요? 둘째 줄" in preview, "an escaped one-line excerpt"
    fields = form_fields(page.text, "compose")
    assert fields["reply_to_id"] == first["id"]
    sent = lee.post(f"/messages/{cid}/send", dict(fields, text="회사 앞 식당이요"), page=f"/messages/{cid}")
    assert sent.status_code == 200 and sent.url.split("#")[0].endswith(f"/messages/{cid}")
    reply = stream.next("message")
    if reply["id"] == first["id"]:
        # The stream opened just after `first` was committed and before this node published it: it is delivered.
        reply = stream.next("message")
    assert reply["reply_to_id"] == first["id"] and reply["text"] == "회사 앞 식당이요"
    quote = re.search(r'<li class="message mine" id="m%s".*?</li>' % reply["id"], sent.text, re.S).group(0)
    assert f'data-reply-to="{first["id"]}"' in quote and f'href="#m{first["id"]}"' in quote
    assert "점심 &lt;b&gt;어디서&lt;/b&gt; 먹을까요? 둘째 줄" in quote and "<b>어디서" not in sent.text
    # Without ?reply_to the composer quotes nothing and sends no reply target.
    assert form_fields(lee.get(f"/messages/{cid}").text, "compose")["reply_to_id"] == ""
    # A reply whose send is refused keeps its target on the page that explains why.
    refused = lee.post(f"/messages/{cid}/send", {"text": " ", "reply_to_id": first["id"], "client_key": "r-empty"}, page=f"/messages/{cid}")
    assert refused.status_code == 422 and form_fields(refused.text, "compose")["reply_to_id"] == first["id"]

    # Kim edits the first message on its own page; the stream, the page and lee's quote follow.
    edit_path = f"/messages/{cid}/m/{first['id']}/edit"
    assert f'href="{edit_path}"' in kim.get(f"/messages/{cid}").text
    form = kim.get(edit_path)
    assert form.status_code == 200 and "점심 &lt;b&gt;어디서&lt;/b&gt; 먹을까요?\n둘째 줄</textarea>" in form.text
    assert lee.get(edit_path).status_code == 403, "only the sender edits"
    assert lee.post(edit_path, {"text": "hijack"}, page=f"/messages/{cid}").status_code == 403
    park = WebClient(chat["server"].url)
    park.login("park")
    assert park.get(edit_path).status_code == 404, "outsiders learn nothing"
    assert kim.get(f"/messages/{cid}/m/{reply['id']}/edit").status_code == 403
    empty = kim.post(edit_path, {"text": "  "})
    assert empty.status_code == 422 and "Write a message first." in empty.text
    edited = kim.post(edit_path, {"text": "<script>alert(1)</script> 2층 식당으로 바꿔요"})
    assert edited.status_code == 200 and edited.url.split("#")[0].endswith(f"/messages/{cid}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 2층 식당으로 바꿔요" in edited.text and "<script>alert" not in edited.text
    item = re.search(r'<li class="message mine" id="m%s".*?</li>' % first["id"], edited.text, re.S).group(0)
    assert "message-edited" in item and ">edited<" in item
    live = stream.next("message_edited")
    assert live["id"] == first["id"] and live["edited_at"] and live["text"].endswith("2층 식당으로 바꿔요")
    lee_page = lee.get(f"/messages/{cid}").text
    assert 'message-edited">수정됨<' in lee_page and "&lt;script&gt;alert(1)&lt;/script&gt; 2층 식당으로 바꿔요" in lee_page
    assert kim_api.call("GET", f"/messages/{first['id']}")["edited_at"]

    # A reply to a message older than the page still quotes it, linking to the page of history that shows it.
    for n in range(52):
        kim_api.call("POST", f"/conversations/{cid}/messages", json={"text": f"filler {n}", "client_key": f"fill-{n}"})
    late = lee_api.call("POST", f"/conversations/{cid}/messages", json={"text": "다시 그 얘기인데요", "reply_to_id": first["id"]})
    page = kim.get(f"/messages/{cid}")
    item = re.search(r'<li class="message" id="m%s".*?</li>' % late["id"], page.text, re.S).group(0)
    assert "2층 식당으로 바꿔요" in item and f'href="/messages/{cid}?before={int(first["id"]) + 1}#m{first["id"]}"' in item
    assert f'id="m{first["id"]}"' in kim.get(f"/messages/{cid}?before={int(first['id']) + 1}").text
    stream.close()


def test_suspending_a_member_closes_their_streams_at_once(request, data_dir):
    """An admin's suspension on the web publishes `accountEnded`: the member's messenger WebSocket, Mastodon
    streaming WebSocket and Mastodon server-sent events all end at once. The periodic recheck is set far
    beyond the test's patience, so only the event can close them."""
    srv = Server(data_dir, extra=["--nntp-port", "0"])
    assert srv.cli("user", "add", "boss", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    for name in ["kim", "lee"]:
        assert srv.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    try:
        members = tokens(srv.url, ["kim", "lee"])
        kim, lee = members["kim"], members["lee"]
        lee_id = requests.get(srv.url + "/api/v1/accounts/verify_credentials", headers=lee.headers, timeout=10).json()["id"]
        messenger = lee.stream()
        kim_stream = kim.stream()
        mastodon = connect(srv.url.replace("http://", "ws://") + f"/api/v1/streaming?access_token={lee.token}&stream=user",
                           open_timeout=10, close_timeout=5)
        sse = requests.get(srv.url + "/api/v1/streaming/user", headers=lee.headers, stream=True, timeout=30)
        assert sse.status_code == 200
        sse_ended = threading.Event()

        def read_sse():
            try:
                for _ in sse.iter_lines():
                    pass
            except Exception:
                pass
            sse_ended.set()
        threading.Thread(target=read_sse, daemon=True).start()
        time.sleep(0.5)
        assert not sse_ended.is_set()

        boss = WebClient(srv.url)
        boss.login("boss")
        started = time.time()
        done = boss.post(f"/admin/members/{lee_id}/suspend", {"reason": "spam", "confirmed": "1"}, page="/admin/members")
        assert done.status_code == 200, done.text[:300]
        code, reason = messenger.close_reason(timeout=10)
        assert code == 1008 and "may no longer sign in" in reason
        try:
            mastodon.recv(timeout=10)
            raise AssertionError("the Mastodon stream must close")
        except ConnectionClosed as closed:
            assert closed.rcvd.code == 1008
        assert sse_ended.wait(10), "the server-sent events must end"
        assert time.time() - started < 10
        # Only lee's streams ended: kim's carries on.
        kim.call("POST", "/conversations/" + kim.call("POST", "/conversations", json={"members": ["boss"]})["id"] + "/messages",
                 json={"text": "still here"})
        assert kim_stream.next("message")["text"] == "still here"
        kim_stream.close()
        sse.close()
    finally:
        srv.stop()


def test_pictures_in_messages_over_the_api_and_the_stream(chat):
    kim, lee, park = chat["kim"], chat["lee"], chat["park"]
    cid = kim.call("POST", "/conversations", json={"members": ["lee"]})["id"]
    stream = lee.stream()
    first, second = kim.upload(description="빨간 지붕"), kim.upload("alpha.png", "image/png")
    sent = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "", "media_ids": [first["id"], int(second["id"])],
                                                                     "client_key": "pic-1"})
    assert sent["text"] == "" and [a["id"] for a in sent["attachments"]] == [first["id"], second["id"]], "order kept, text may be empty"
    picture = sent["attachments"][0]
    assert picture == first, "the same entity as the Mastodon media entity"
    assert picture["type"] == "image" and picture["description"] == "빨간 지붕"
    assert re.search(r"/media/[0-9a-f]{64}-small\.(jpg|png)$", picture["preview_url"]) and re.search(r"-large\.", picture["url"])
    live = stream.next("message")
    assert live["id"] == sent["id"] and live["attachments"] == sent["attachments"], "the WebSocket frame carries the pictures"
    stream.close()
    assert lee.call("GET", f"/conversations/{cid}/messages")[0]["attachments"] == sent["attachments"]
    assert lee.call("GET", f"/messages/{sent['id']}")["attachments"] == sent["attachments"]
    assert lee.call("GET", "/conversations")[0]["last_message"]["attachments"] == sent["attachments"]
    replayed = lee.stream(last_seq=int(sent["seq"]) - 1)
    assert replayed.pending[0]["payload"]["attachments"] == sent["attachments"], "a resume replays the pictures too"
    replayed.close()
    for url in (picture["preview_url"], picture["url"]):
        got = requests.get(url, timeout=10)
        assert got.status_code == 200 and got.headers["Content-Type"].startswith("image/")
    # A retried send (same key) answers the first message and attaches nothing again.
    again = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "", "media_ids": [first["id"]], "client_key": "pic-1"})
    assert again["id"] == sent["id"] and again["attachments"] == sent["attachments"]
    # Refusals: an attached picture, someone else's, five, a non-image at upload, no text and no picture.
    used = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "again", "media_ids": [first["id"]]}, expect=422)
    assert used["error"] == "Validation failed: a media id is not one of your unattached uploads"
    lees = lee.upload()
    kim.call("POST", f"/conversations/{cid}/messages", json={"text": "stolen", "media_ids": [lees["id"]]}, expect=422)
    five = [kim.upload()["id"] for _ in range(5)]
    assert kim.call("POST", f"/conversations/{cid}/messages", json={"text": "many", "media_ids": five}, expect=422)["error"]
    assert kim.upload("notes.txt", "image/jpeg", expect=422)["error"]
    kim.call("POST", f"/conversations/{cid}/messages", json={"text": " ", "media_ids": []}, expect=422)
    # A failed send attaches nothing: the pictures can still go out, on a message or a status.
    ok = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "넷", "media_ids": five[:4]})
    assert len(ok["attachments"]) == 4
    toot = requests.post(kim.base + "/api/v1/statuses", headers=kim.headers, data={"status": "x", "media_ids[]": [first["id"]]}, timeout=10)
    assert toot.status_code == 422, "a picture on a message cannot be moved to a status"
    # A non-member can't attach their upload to, or see, the conversation.
    parks = park.upload()
    park.call("POST", f"/conversations/{cid}/messages", json={"text": "hi", "media_ids": [parks["id"]]}, expect=404)
    park.call("GET", f"/messages/{sent['id']}", expect=404)
    # Deleting the message frees nothing for reuse: its pictures go with it.
    kim.call("DELETE", f"/messages/{sent['id']}")
    kim.call("POST", f"/conversations/{cid}/messages", json={"text": "x", "media_ids": [second["id"]]}, expect=422)


def test_the_web_form_sends_pictures_with_alt_text(chat):
    kim = WebClient(chat["server"].url)
    kim.login("kim")
    page = kim.post("/messages", {"members": "lee", "title": ""}, page="/messages")
    cid = page.url.rstrip("/").split("/")[-1].split("#")[0]
    form = kim.get(f"/messages/{cid}").text
    assert 'enctype="multipart/form-data"' in form and 'name="photo1"' in form and 'name="alt1"' in form
    key = re.search(r'name="client_key" value="([^"]+)"', form).group(1)
    sent = kim.session.post(chat["server"].url + f"/messages/{cid}/send", data={
        "_csrf": kim.csrf(f"/messages/{cid}"), "text": "", "client_key": key, "alt1": "바다 <사진>"},
        files={"photo1": ("a.jpg", fixture("oriented.jpg"), "image/jpeg"), "photo2": ("", b"", "application/octet-stream")}, timeout=30)
    assert sent.status_code == 200
    small = re.search(r'<a href="(/media/[0-9a-f]{64}-large\.\w+)" class="photo"><img src="(/media/[0-9a-f]{64}-small\.\w+)" alt="([^"]*)"', sent.text)
    assert small and small.group(3) == "바다 &lt;사진&gt;", "the small picture links to the large one, with its alt text"
    assert requests.get(chat["server"].url + small.group(2), timeout=10).status_code == 200
    lee = chat["lee"]
    assert lee.call("GET", f"/conversations/{cid}/messages")[0]["attachments"][0]["description"] == "바다 <사진>"
    refused = kim.session.post(chat["server"].url + f"/messages/{cid}/send", data={
        "_csrf": kim.csrf(f"/messages/{cid}"), "text": "bad", "client_key": "k2"},
        files={"photo1": ("a.jpg", fixture("notes.txt"), "image/jpeg")}, timeout=30)
    assert refused.status_code == 422 and "Only JPEG, PNG, WebP and GIF" in refused.text
    ko = WebClient(chat["server"].url, language="ko")
    ko.login("lee")
    assert "사진 추가" in ko.get(f"/messages/{cid}").text
    park = WebClient(chat["server"].url)
    park.login("park")
    stranger = park.session.post(chat["server"].url + f"/messages/{cid}/send", data={"_csrf": park.csrf("/messages"), "text": "x"},
                                 files={"photo1": ("a.jpg", fixture("oriented.jpg"), "image/jpeg")}, timeout=30)
    assert stranger.status_code == 404


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_acknowledged_messages_survive_a_kill_and_clients_catch_up(request, data_dir, engine):
    srv = start(request, data_dir, engine)
    members = tokens(srv.url, MEMBERS)
    kim, lee = members["kim"], members["lee"]
    cid = kim.call("POST", "/conversations", json={"members": ["lee"]})["id"]
    stream = lee.stream()
    acknowledged = []
    stop = threading.Event()

    def sender():
        n = 0
        while not stop.is_set():
            try:
                acknowledged.append(int(kim.call("POST", f"/conversations/{cid}/messages", json={"text": f"m{n}", "client_key": f"k{n}"})["id"]))
            except Exception:
                return
            n += 1

    thread = threading.Thread(target=sender)
    thread.start()
    seen = ids(stream.messages(10))
    time.sleep(0.3)
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait()
    stop.set()
    thread.join()
    try:
        stream.close()
    except Exception:
        pass
    assert len(acknowledged) >= 10

    srv = Server(data_dir, database=srv.database, env=STREAM_ENV, extra=["--nntp-port", "0"])
    srv.port = int(kim.base.rsplit(":", 1)[1])
    srv.url = kim.base
    srv.start()
    try:
        stored = []
        before = None
        while True:
            page = lee.call("GET", f"/conversations/{cid}/messages?limit=200" + (f"&before={before}" if before else ""))
            if not page:
                break
            stored += ids(page)
            before = page[-1]["id"]
        assert set(acknowledged) <= set(stored), "every acknowledged message is still there"
        resumed = lee.stream(last_id=seen[-1])
        rest = ids(resumed.messages(len([i for i in sorted(stored) if i > seen[-1]])))
        assert seen + rest == sorted(stored), "the client catches up with no gap and no duplicate"
        resumed.close()
    finally:
        srv.stop()


def test_a_read_token_may_watch_but_not_mark_read_or_type(chat):
    """A token with only the `read` scope gets the stream, but its `read` and `typing` frames are refused, as
    the REST API refuses it (issue 11): nothing moves and nobody is told."""
    kim, lee = chat["kim"], chat["lee"]
    cid = kim.call("POST", "/conversations", json={"members": ["lee"]})["id"]
    sent = kim.call("POST", f"/conversations/{cid}/messages", json={"text": "unread for now"})
    app = requests.post(lee.base + "/api/v1/apps", data={"client_name": "reader", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                        "scopes": "read"}, timeout=10).json()
    token = requests.post(lee.base + "/oauth/token", data={
        "grant_type": "password", "username": "lee", "password": PASSWORD, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read"}, timeout=30).json()["access_token"]
    watcher = kim.stream()
    reader = lee.stream(token=token)
    reader.ws.send(json.dumps({"type": "read", "conversation_id": cid, "up_to": sent["id"]}))
    assert "outside the authorized scopes" in reader.next("error")["error"]
    reader.ws.send(json.dumps({"type": "typing", "conversation_id": cid}))
    assert "outside the authorized scopes" in reader.next("error")["error"]
    assert lee.call("GET", f"/conversations/{cid}")["unread"] == 1, "the read mark did not move"
    assert [f for f in watcher.quiet(1.0) if f["event"] in ("typing", "read")] == [], "nobody was told"
    reader.ws.send(json.dumps({"type": "ping"}))
    assert reader.next("pong") == {}, "the stream itself carries on"
    reader.close()
    watcher.close()

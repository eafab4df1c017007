"""The feed through the Mastodon client API, with the real Mastodon.py client, on both engines: posting in
every script, threads, favourites, reposts, bookmarks, follows (and requests to locked accounts), blocks,
timelines with keyset paging and Link headers, notifications, edits and deletes, and the errors."""
import pytest
import requests
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from conftest import PASSWORD

MEMBERS = [("minjun", "김민준"), ("olga", "Ольга Петрова"), ("yuki", "佐藤 由紀"), ("li", "李明")]


@pytest.fixture
def feed(any_server):
    for name, display in MEMBERS:
        result = any_server.cli("user", "add", name, "--display-name", display, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    client_id, secret = Mastodon.create_app("feed e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {}
    for name, _ in MEMBERS:
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    clients["url"] = any_server.url
    return clients


def ids(statuses):
    return [s["id"] for s in statuses]


def test_post_in_every_script_and_read_it_back(feed):
    minjun = feed["minjun"]
    texts = ["안녕하세요 #서울 @olga", "Привет, мир! #Москва", "こんにちは #東京", "你好 #北京 https://intra.example/x"]
    posted = [minjun.status_post(text) for text in texts]
    first = minjun.status(posted[0]["id"])
    assert first["account"]["username"] == "minjun" and first["account"]["display_name"] == "김민준"
    assert '<a href="' in first["content"] and "#<span>서울</span>" in first["content"]
    assert [m["username"] for m in first["mentions"]] == ["olga"] and first["tags"][0]["name"] == "서울"
    assert 'href="https://intra.example/x"' in posted[3]["content"] and 'rel="nofollow noopener noreferrer"' in posted[3]["content"]
    escaped = minjun.status_post("<script>alert(1)</script> & \"quotes\"")
    assert "<script>" not in escaped["content"] and "&lt;script&gt;" in escaped["content"]
    assert ids(minjun.timeline_hashtag("서울")) == [posted[0]["id"]]
    assert ids(minjun.timeline_hashtag("東京")) == [posted[2]["id"]]
    tagged = requests.get(feed["url"] + "/api/v1/timelines/tag/%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0",
                          headers={"Authorization": f"Bearer {minjun.access_token}"}, timeout=10).json()
    assert ids(tagged) == [posted[1]["id"]], "hashtags match case-insensitively"


def test_follow_home_timeline_and_paging_with_link_headers(feed):
    olga, minjun = feed["olga"], feed["minjun"]
    minjun_id = minjun.me()["id"]
    relationship = olga.account_follow(minjun_id)
    assert relationship["following"] is True
    posted = [minjun.status_post(f"post {n}") for n in range(7)]
    feed["yuki"].status_post("not followed")
    home = olga.timeline_home(limit=3)
    assert ids(home) == [s["id"] for s in reversed(posted)][:3]
    older = olga.fetch_next(home)
    assert ids(older) == [s["id"] for s in reversed(posted)][3:6]
    newer = olga.fetch_previous(older)
    assert ids(newer) == ids(home)
    since = olga.timeline_home(since_id=posted[4]["id"])
    assert ids(since) == [posted[6]["id"], posted[5]["id"]]
    assert len(olga.timeline_public(limit=40)) == 8
    response = requests.get(feed["url"] + "/api/v1/timelines/home?limit=2",
                            headers={"Authorization": f"Bearer {olga.access_token}"}, timeout=10)
    assert 'rel="next"' in response.headers["Link"] and "max_id=" in response.headers["Link"]
    assert olga.account(minjun_id)["followers_count"] == 1
    assert [a["username"] for a in olga.account_followers(minjun_id)] == ["olga"]
    olga.account_unfollow(minjun_id)
    assert ids(olga.timeline_home()) == []


def test_thread_favourite_reblog_bookmark_and_notifications(feed):
    minjun, olga, yuki = feed["minjun"], feed["olga"], feed["yuki"]
    root = minjun.status_post("질문이 있어요")
    reply = olga.status_post("Ответ", in_reply_to_id=root["id"])
    nested = yuki.status_reply(reply, "返信への返信")
    context = minjun.status_context(root["id"])
    assert ids(context["descendants"]) == [reply["id"], nested["id"]]
    assert ids(yuki.status_context(nested["id"])["ancestors"]) == [root["id"], reply["id"]]
    assert olga.status_favourite(root["id"])["favourited"] is True
    assert olga.status_favourite(root["id"])["favourites_count"] == 1, "twice counts once"
    repost = yuki.status_reblog(root["id"])
    assert repost["reblog"]["id"] == root["id"]
    assert olga.status_bookmark(root["id"])["bookmarked"] is True
    assert ids(olga.bookmarks()) == [root["id"]]
    assert [a["username"] for a in minjun.status_favourited_by(root["id"])] == ["olga"]
    assert [a["username"] for a in minjun.status_reblogged_by(root["id"])] == ["yuki"]
    notes = minjun.notifications()
    # Mastodon.py's status_reply mentions everyone in the thread, so the nested reply mentions minjun too.
    assert [n["type"] for n in notes] == ["reblog", "favourite", "mention", "mention"]
    assert notes[2]["status"]["id"] == nested["id"] and notes[3]["status"]["id"] == reply["id"]
    assert notes[1]["account"]["username"] == "olga"
    assert [n["type"] for n in minjun.notifications(types=["favourite"])] == ["favourite"]
    assert [n["type"] for n in minjun.notifications(exclude_types=["mention", "reblog"])] == ["favourite"]
    minjun.notifications_dismiss(notes[0]["id"])
    assert len(minjun.notifications()) == 3
    minjun.notifications_clear()
    assert minjun.notifications() == []
    assert yuki.status_unreblog(root["id"])["reblogs_count"] == 0
    auth = {"Authorization": f"Bearer {olga.access_token}"}
    reacted = requests.put(f"{feed['url']}/api/v1/pleroma/statuses/{root['id']}/reactions/%F0%9F%91%8D", headers=auth, timeout=10).json()
    assert reacted["pleroma"]["emoji_reactions"] == [{"name": "👍", "count": 1, "me": True}]
    assert requests.put(f"{feed['url']}/api/v1/pleroma/statuses/{root['id']}/reactions/%F0%9F%92%A9", headers=auth,
                        timeout=10).status_code == 422, "only the offered reactions"
    assert [n["type"] for n in minjun.notifications()] == ["pleroma:emoji_reaction"]
    assert minjun.notifications()[0]["emoji"] == "👍"
    removed = requests.delete(f"{feed['url']}/api/v1/pleroma/statuses/{root['id']}/reactions/%F0%9F%91%8D", headers=auth, timeout=10)
    assert removed.json()["pleroma"]["emoji_reactions"] == []
    assert minjun.status(root["id"])["replies_count"] == 1


def test_visibility_and_blocks_hold_on_the_api(feed):
    minjun, olga, yuki = feed["minjun"], feed["olga"], feed["yuki"]
    olga.account_follow(minjun.me()["id"])
    private = minjun.status_post("followers only", visibility="private")
    direct = minjun.status_post("@yuki just you", visibility="direct")
    assert olga.status(private["id"])["visibility"] == "private"
    with pytest.raises(MastodonNotFoundError):
        yuki.status(private["id"])
    assert yuki.status(direct["id"])["visibility"] == "direct"
    with pytest.raises(MastodonNotFoundError):
        olga.status(direct["id"])
    with pytest.raises(MastodonAPIError):
        olga.status_reblog(private["id"])
    public = minjun.status_post("public")
    minjun.account_block(yuki.me()["id"])
    with pytest.raises(MastodonNotFoundError):
        yuki.status(public["id"])
    with pytest.raises(MastodonNotFoundError):
        yuki.status_post("reply anyway", in_reply_to_id=public["id"])
    with pytest.raises(MastodonAPIError) as refused:
        yuki.account_follow(minjun.me()["id"])
    assert refused.value.args[1] == 403
    relationship = yuki.account_relationships(minjun.me()["id"])[0]
    assert relationship["blocked_by"] is True and relationship["following"] is False
    assert public["id"] not in ids(yuki.timeline_public())


def test_locked_account_approves_follow_requests(feed):
    minjun, olga = feed["minjun"], feed["olga"]
    assert minjun.account_update_credentials(locked=True)["locked"] is True
    asked = olga.account_follow(minjun.me()["id"])
    assert asked["requested"] is True and asked["following"] is False
    assert [a["username"] for a in minjun.follow_requests()] == ["olga"]
    assert [n["type"] for n in minjun.notifications()] == ["follow_request"]
    minjun.follow_request_authorize(olga.me()["id"])
    assert olga.account_relationships(minjun.me()["id"])[0]["following"] is True
    assert minjun.follow_requests() == []


def test_edit_keeps_history_and_delete_removes(feed):
    minjun, olga = feed["minjun"], feed["olga"]
    status = minjun.status_post("첫 번째 버전")
    edited = minjun.status_update(status["id"], "두 번째 버전", spoiler_text="수정됨")
    assert edited["edited_at"] and edited["spoiler_text"] == "수정됨" and "두 번째" in edited["content"]
    history = olga.status_history(status["id"])
    assert ["첫 번째" in h["content"] for h in history] == [True, False]
    with pytest.raises(MastodonAPIError) as refused:
        olga.status_update(status["id"], "hijack")
    assert refused.value.args[1] == 403
    with pytest.raises(MastodonAPIError):
        olga.status_delete(status["id"])
    deleted = minjun.status_delete(status["id"])
    assert deleted["text"] == "두 번째 버전"
    with pytest.raises(MastodonNotFoundError):
        minjun.status(status["id"])


def test_errors_are_mastodon_shaped(feed):
    url, token = feed["url"], feed["minjun"].access_token
    auth = {"Authorization": f"Bearer {token}"}
    for body, status in [({"status": ""}, 422), ({"status": "   "}, 422), ({"status": "가" * 5001}, 422),
                         ({"status": "x", "visibility": "galaxy"}, 422), ({"status": "x", "in_reply_to_id": "999"}, 404),
                         ({"status": "x", "in_reply_to_id": "abc"}, 404)]:
        response = requests.post(url + "/api/v1/statuses", data=body, headers=auth, timeout=10)
        assert response.status_code == status, (body, response.text)
        assert set(response.json()) == {"error"}
    assert requests.post(url + "/api/v1/statuses", data={"status": "x"}, timeout=10).status_code == 401
    for path in ["/api/v1/statuses/123", "/api/v1/statuses/abc", "/api/v1/accounts/999", "/api/v1/accounts/-1/statuses"]:
        response = requests.get(url + path, headers=auth, timeout=10)
        assert response.status_code == 404 and response.json() == {"error": "Record not found"}, path
    garbage = requests.post(url + "/api/v1/statuses", data=b"\x00\xff{", headers=dict(auth, **{"Content-Type": "application/json"}),
                            timeout=10)
    assert garbage.status_code == 400 and "error" in garbage.json()
    assert len(feed["minjun"].timeline_public()) == 0, "nothing was stored"

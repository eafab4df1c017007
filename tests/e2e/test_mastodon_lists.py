"""Lists through the Mastodon API on both engines: CRUD, members (only followed accounts), the list timeline
holds only its members' posts, `/accounts/:id/lists`, the `list` stream, and nobody else's lists."""
import json
import time

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from conftest import PASSWORD

MEMBERS = ["minjun", "olga", "yuki", "li"]


@pytest.fixture
def people(any_server):
    for name in MEMBERS:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    client_id, secret = Mastodon.create_app("lists e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {"url": any_server.url}
    for name in MEMBERS:
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    return clients


def test_list_crud_members_and_timeline(people):
    minjun, olga, yuki, li = people["minjun"], people["olga"], people["yuki"], people["li"]
    created = minjun.list_create("친구들")
    assert created["title"] == "친구들" and created["replies_policy"] == "list" and created["exclusive"] is False and "id" in created
    with pytest.raises(MastodonAPIError):
        minjun.list_accounts_add(created["id"], [olga.me()["id"]])  # not followed yet
    for other in [olga, yuki]:
        minjun.account_follow(other.me()["id"])
    minjun.account_follow(li.me()["id"])
    minjun.list_accounts_add(created["id"], [olga.me()["id"], yuki.me()["id"]])
    assert sorted(a["id"] for a in minjun.list_accounts(created["id"])) == sorted([olga.me()["id"], yuki.me()["id"]])
    in_list = [olga.status_post("Привет из списка"), yuki.status_post("リストから")]
    li.status_post("not in the list")
    assert [s["id"] for s in minjun.timeline_list(created["id"])] == [in_list[1]["id"], in_list[0]["id"]]
    assert [l["id"] for l in minjun.account_lists(olga.me()["id"])] == [created["id"]]
    renamed = minjun.list_update(created["id"], "가족", replies_policy="none")
    assert renamed["title"] == "가족" and renamed["replies_policy"] == "none"
    olga.status_post("reply to li", in_reply_to_id=li.status_post("li asks")["id"])
    assert all(s["in_reply_to_id"] is None for s in minjun.timeline_list(created["id"])), "replies_policy=none"
    minjun.list_accounts_delete(created["id"], [yuki.me()["id"]])
    assert [a["id"] for a in minjun.list_accounts(created["id"])] == [olga.me()["id"]]
    assert [l["title"] for l in minjun.lists()] == ["가족"]
    with pytest.raises(MastodonNotFoundError):
        olga.list(created["id"])
    with pytest.raises(MastodonNotFoundError):
        olga.timeline_list(created["id"])
    bad = requests.post(people["url"] + "/api/v1/lists", data={"title": " "}, headers={"Authorization": f"Bearer {minjun.access_token}"}, timeout=10)
    assert bad.status_code == 422
    minjun.list_delete(created["id"])
    assert minjun.lists() == []


def test_list_stream_carries_only_its_members(people):
    import websockets.sync.client as ws_client
    minjun, olga, li = people["minjun"], people["olga"], people["li"]
    for other in [olga, li]:
        minjun.account_follow(other.me()["id"])
    friends = minjun.list_create("friends")
    minjun.list_accounts_add(friends["id"], [olga.me()["id"]])
    url = people["url"].replace("http", "ws") + f"/api/v1/streaming?stream=list&list={friends['id']}&access_token={minjun.access_token}"
    with ws_client.connect(url) as socket:
        time.sleep(0.5)
        li.status_post("not for the list")
        posted = olga.status_post("для списка")
        frame = json.loads(socket.recv(timeout=10))
        assert frame["stream"] == ["list", friends["id"]] and frame["event"] == "update"
        assert json.loads(frame["payload"])["id"] == posted["id"]
    theirs = people["url"].replace("http", "ws") + f"/api/v1/streaming?stream=list&list={friends['id']}&access_token={olga.access_token}"
    with ws_client.connect(theirs) as socket:
        time.sleep(0.5)
        minjun.status_post("olga follows nobody: nothing arrives")
        olga.status_post("olga's own post is not in someone else's list stream for her")
        with pytest.raises(TimeoutError):
            socket.recv(timeout=2)


def test_conversations_and_the_direct_stream(people):
    import websockets.sync.client as ws_client
    minjun, olga, yuki = people["minjun"], people["olga"], people["yuki"]
    url = people["url"].replace("http", "ws") + f"/api/v1/streaming?stream=direct&access_token={olga.access_token}"
    with ws_client.connect(url) as socket:
        time.sleep(0.5)
        first = minjun.status_post("@olga 비밀 이야기", visibility="direct")
        frame = json.loads(socket.recv(timeout=10))
        assert frame["stream"] == ["direct"] and frame["event"] == "conversation"
        pushed = json.loads(frame["payload"])
        assert pushed["last_status"]["id"] == first["id"] and pushed["unread"] is True
    conversations = olga.conversations()
    assert len(conversations) == 1
    conversation = conversations[0]
    for key in ["id", "unread", "accounts", "last_status"]:
        assert key in conversation
    assert [a["username"] for a in conversation["accounts"]] == ["minjun"] and conversation["unread"] is True
    reply = olga.status_post("@minjun 답장", visibility="direct", in_reply_to_id=first["id"])
    mine = minjun.conversations()
    assert len(mine) == 1 and mine[0]["id"] == conversation["id"] and mine[0]["last_status"]["id"] == reply["id"] and mine[0]["unread"] is True
    assert minjun.conversations_read(mine[0]["id"])["unread"] is False
    assert yuki.conversations() == []
    auth = {"Authorization": f"Bearer {yuki.access_token}"}
    assert requests.post(f"{people['url']}/api/v1/conversations/{conversation['id']}/read", headers=auth, timeout=10).status_code == 404
    assert requests.delete(f"{people['url']}/api/v1/conversations/{conversation['id']}",
                           headers={"Authorization": f"Bearer {olga.access_token}"}, timeout=10).status_code == 200
    assert olga.conversations() == []
    assert [c["id"] for c in minjun.conversations()] == [conversation["id"]], "removed for olga only"

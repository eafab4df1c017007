"""Mastodon's streaming API against the real server on both engines: the WebSocket (`stream=user`, `public`,
`hashtag` and subscribe frames) with the `websockets` client, and server-sent events with Mastodon.py's
own stream listener: updates, notifications and deletes arrive live, as each member may see them."""
import asyncio
import contextlib
import json
import threading
import time

import pytest
import requests
import websockets
from mastodon import Mastodon, StreamListener

from conftest import PASSWORD


@pytest.fixture
def members(any_server):
    for name in ["minjun", "olga", "yuki"]:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    cid, secret = Mastodon.create_app("stream e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {"url": any_server.url}
    for name in ["minjun", "olga", "yuki"]:
        api = Mastodon(client_id=cid, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    return clients


def ws_url(base, token, query):
    return base.replace("http://", "ws://") + f"/api/v1/streaming?access_token={token}&{query}"


def user_and_public(url, user_token, public_token, tag):
    """A `stream=user` socket subscribed to #tag too, and a `stream=public` socket, both settled."""
    @contextlib.asynccontextmanager
    async def sockets():
        async with websockets.connect(ws_url(url, user_token, "stream=user")) as user, \
                websockets.connect(ws_url(url, public_token, "stream=public")) as public:
            await user.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": tag}))
            await asyncio.sleep(0.3)
            yield user, public
    return sockets()


async def next_event(ws, timeout=10):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def test_websocket_user_public_and_hashtag_streams(members):
    minjun, olga, yuki = members["minjun"], members["olga"], members["yuki"]
    olga.account_follow(minjun.me()["id"])

    async def run():
        async with user_and_public(members["url"], olga.access_token, yuki.access_token, "서울") as (user, public):
            status = await asyncio.to_thread(minjun.status_post, "서울은 맑음 #서울")
            seen = [await next_event(user), await next_event(user)]
            streams = sorted(tuple(event["stream"]) for event in seen)
            assert streams == [("hashtag", "서울"), ("user",)]
            assert all(event["event"] == "update" and json.loads(event["payload"])["id"] == status["id"] for event in seen)
            update = await next_event(public)
            assert update["stream"] == ["public"] and json.loads(update["payload"])["content"].startswith("<p>서울은 맑음")
            private = await asyncio.to_thread(minjun.status_post, "팔로워만", visibility="private")
            event = await next_event(user)
            assert json.loads(event["payload"])["id"] == private["id"]
            await asyncio.to_thread(yuki.status_favourite, status["id"])
            await asyncio.to_thread(olga.status_favourite, private["id"])
            await asyncio.to_thread(minjun.status_delete, status["id"])
            deleted = await next_event(public)
            assert deleted == {"stream": ["public"], "event": "delete", "payload": status["id"]}, "the private post never reached yuki"
            deletes = [await next_event(user), await next_event(user)]
            assert sorted(tuple(e["stream"]) for e in deletes) == [("hashtag", "서울"), ("user",)]
            assert {e["event"] for e in deletes} == {"delete"}
            await user.send("not json")
            assert "error" in await next_event(user), "garbage gets an error frame and the stream stays open"
            await asyncio.to_thread(minjun.status_post, "@olga 여기요")
            mention = await next_event(user)
            if mention["event"] == "update":
                mention = await next_event(user)
            assert mention["event"] == "notification" and json.loads(mention["payload"])["type"] == "mention"

    asyncio.run(run())


def test_muted_authors_stay_out_of_live_timelines(members):
    """As in Mastodon, a muted member's posts reach neither the home, public nor hashtag stream of the muter;
    the next post from someone else does."""
    minjun, olga, yuki = members["minjun"], members["olga"], members["yuki"]
    olga.account_follow(minjun.me()["id"])
    olga.account_mute(minjun.me()["id"])

    async def run():
        async with user_and_public(members["url"], olga.access_token, olga.access_token, "날씨") as (user, public):
            await asyncio.to_thread(minjun.status_post, "조용히 #날씨")
            other = await asyncio.to_thread(yuki.status_post, "晴れ #날씨")
            update = await next_event(public)
            assert json.loads(update["payload"])["id"] == other["id"], "the muted post was skipped, the next one came"
            tagged = await next_event(user)
            assert tagged["stream"] == ["hashtag", "날씨"] and json.loads(tagged["payload"])["id"] == other["id"]

    asyncio.run(run())


def test_an_exclusive_lists_members_reach_the_list_stream_not_the_user_stream(members):
    """Mastodon 4.2's exclusive lists: a member's post goes to the list stream only; a followed member outside
    the list still reaches home."""
    minjun, olga, yuki = members["minjun"], members["olga"], members["yuki"]
    olga.account_follow(minjun.me()["id"])
    olga.account_follow(yuki.me()["id"])
    made = requests.post(members["url"] + "/api/v1/lists", data={"title": "친구", "exclusive": "true"},
                         headers={"Authorization": f"Bearer {olga.access_token}"}, timeout=10).json()
    olga.list_accounts_add(made["id"], [minjun.me()["id"]])

    async def run():
        async with websockets.connect(ws_url(members["url"], olga.access_token, "stream=user")) as user, \
                websockets.connect(ws_url(members["url"], olga.access_token, f"stream=list&list={made['id']}")) as listed:
            await asyncio.sleep(0.3)
            inside = await asyncio.to_thread(minjun.status_post, "목록 안의 글")
            outside = await asyncio.to_thread(yuki.status_post, "目録の外")
            assert json.loads((await next_event(listed))["payload"])["id"] == inside["id"]
            update = await next_event(user)
            assert json.loads(update["payload"])["id"] == outside["id"], "the list member's post skipped home"

    asyncio.run(run())


def test_websocket_refuses_bad_tokens_and_unknown_streams(members):
    async def run():
        for query, token in [("stream=user", "nope"), ("stream=galaxy", members["olga"].access_token)]:
            async with websockets.connect(ws_url(members["url"], token, query)) as ws:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), 10)
                assert closed.value.rcvd.code == 1008

    asyncio.run(run())


def test_server_sent_events_with_mastodon_py(members):
    minjun, olga = members["minjun"], members["olga"]
    olga.account_follow(minjun.me()["id"])
    received, notified = [], []

    class Listener(StreamListener):
        def on_update(self, status):
            received.append(status)

        def on_notification(self, notification):
            notified.append(notification)

    handle = olga.stream_user(Listener(), run_async=True, reconnect_async=False)
    try:
        time.sleep(1.0)
        status = minjun.status_post("SSE로 도착 #sse")
        minjun.status_post(f"@olga 알림 테스트")
        deadline = time.time() + 15
        while time.time() < deadline and (not received or not notified):
            time.sleep(0.2)
        assert status["id"] in [s["id"] for s in received]
        assert notified and notified[0]["type"] == "mention"
    finally:
        handle.close()
    assert olga.stream_healthy()

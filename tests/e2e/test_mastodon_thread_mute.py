"""Muting a conversation through the Mastodon API (`/api/v1/statuses/:id/mute|unmute`), on both engines: the
status entity says `muted`, and a muted thread sends no notifications (replies, favourites, reposts, from
anywhere in the thread) until it is unmuted; another member's notifications are unaffected."""
import time

import pytest
import requests

from test_mastodon_posting import auth, posting  # noqa: F401  (the fixture)


def notification_ids(client):
    return {n["id"] for n in client.notifications()}


def test_a_muted_thread_sends_no_notifications(posting):  # noqa: F811
    minjun, olga, yuki, server = posting["minjun"], posting["olga"], posting["yuki"], posting["server"]
    url = server.url
    root = minjun.status_post("스레드의 시작")
    reply = olga.status_post("@minjun Ответ в ветке", in_reply_to_id=root["id"])
    deep = yuki.status_post("@minjun @olga 深い返信", in_reply_to_id=reply["id"])
    assert root["muted"] is False and minjun.status(deep["id"])["muted"] is False
    # Muting from a reply mutes the whole thread, the root included.
    muted = minjun.status_mute(deep["id"])
    assert muted["id"] == deep["id"] and muted["muted"] is True
    assert minjun.status(root["id"])["muted"] is True and minjun.status(reply["id"])["muted"] is True
    assert olga.status(root["id"])["muted"] is False, "a mute is one member's"
    assert any(s["id"] == root["id"] and s["muted"] for s in minjun.account_statuses(minjun.me()["id"]))
    before = notification_ids(minjun)
    olga.status_favourite(root["id"])
    olga.status_reblog(root["id"])
    yuki.status_post("@minjun ещё ответ", in_reply_to_id=deep["id"])
    time.sleep(0.5)
    assert notification_ids(minjun) == before, "nothing from a muted thread"
    assert any(n["type"] == "mention" for n in olga.notifications()), "olga did not mute it"
    # Outside the thread, notifications still come.
    other = minjun.status_post("다른 글")
    yuki.status_favourite(other["id"])
    assert len(notification_ids(minjun) - before) == 1
    # Twice is fine; unmuting brings them back.
    assert minjun.status_mute(root["id"])["muted"] is True
    unmuted = minjun.status_unmute(reply["id"])
    assert unmuted["muted"] is False and minjun.status(deep["id"])["muted"] is False
    count = len(notification_ids(minjun))
    yuki.status_favourite(root["id"])
    assert len(notification_ids(minjun)) == count + 1
    # A status one may not see cannot be muted; a token without the scope is refused.
    hidden = yuki.status_post("비공개", visibility="direct")
    assert requests.post(f"{url}/api/v1/statuses/{hidden['id']}/mute", headers=auth(minjun), timeout=10).status_code == 404
    assert requests.post(f"{url}/api/v1/statuses/999999/unmute", headers=auth(minjun), timeout=10).status_code == 404
    assert requests.post(f"{url}/api/v1/statuses/{root['id']}/mute", timeout=10).status_code == 401

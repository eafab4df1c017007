"""Filters v2 and v1 through the Mastodon API on both engines: a `hide` filter leaves matching posts out of
home, public and the stream; a `warn` filter marks them with `filtered`; contexts, whole words, expiry,
filtered statuses, and keywords managed on their own."""
import json
import time

import pytest
import requests
from mastodon import Mastodon

from conftest import PASSWORD


@pytest.fixture
def pair(any_server):
    for name in ["minjun", "olga"]:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    client_id, secret = Mastodon.create_app("filters e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {"url": any_server.url}
    for name in ["minjun", "olga"]:
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    clients["olga"].account_follow(clients["minjun"].me()["id"])
    return clients


def ids(statuses):
    return [s["id"] for s in statuses]


def test_hide_filter_leaves_posts_out_of_home_public_and_the_stream(pair):
    import websockets.sync.client as ws_client
    minjun, olga = pair["minjun"], pair["olga"]
    spoiler = minjun.status_post("드라마 결말 스포일러")
    fine = minjun.status_post("오늘 날씨 좋다")
    created = olga.create_filter_v2("spoilers", ["home", "public"], "hide", keywords_attributes=[{"keyword": "스포일러", "whole_word": False}])
    for key in ["id", "title", "context", "expires_at", "filter_action", "keywords", "statuses"]:
        assert key in created
    assert created["keywords"][0]["keyword"] == "스포일러" and created["filter_action"] == "hide"
    assert ids(olga.timeline_home()) == [fine["id"]]
    assert spoiler["id"] not in ids(olga.timeline_public())
    assert spoiler["id"] in ids(olga.account_statuses(minjun.me()["id"])), "the account context was not chosen"
    assert spoiler["id"] in ids(minjun.timeline_home()), "one's own posts are never filtered"
    url = pair["url"].replace("http", "ws") + f"/api/v1/streaming?stream=user&access_token={olga.access_token}"
    with ws_client.connect(url) as socket:
        time.sleep(0.5)
        minjun.status_post("또 스포일러")
        shown = minjun.status_post("괜찮은 글")
        frame = json.loads(socket.recv(timeout=10))
        assert json.loads(frame["payload"])["id"] == shown["id"], "the filtered post never arrived"
    olga.delete_filter_v2(created["id"])
    assert spoiler["id"] in ids(olga.timeline_home())


def test_warn_filter_marks_posts_and_keywords_statuses_expiry(pair):
    minjun, olga, url = pair["minjun"], pair["olga"], pair["url"]
    auth = {"Authorization": f"Bearer {olga.access_token}"}
    cat = minjun.status_post("My cat is asleep")
    concat = minjun.status_post("concatenate strings")
    warn = olga.create_filter_v2("cats", ["home"], "warn", keywords_attributes=[{"keyword": "cat", "whole_word": True}])
    home = {s["id"]: s for s in olga.timeline_home()}
    assert home[cat["id"]]["filtered"][0]["filter"]["id"] == warn["id"] and home[cat["id"]]["filtered"][0]["keyword_matches"] == ["cat"]
    assert "filtered" not in home[concat["id"]] or not home[concat["id"]]["filtered"], "whole word"
    keyword = olga.add_filter_keyword_v2(warn["id"], "strings")
    assert keyword["keyword"] == "strings" and keyword["whole_word"] is False
    assert [k["keyword"] for k in olga.filter_keywords_v2(warn["id"])] == ["cat", "strings"]
    assert {s["id"]: s for s in olga.timeline_home()}[concat["id"]]["filtered"][0]["keyword_matches"] == ["strings"]
    assert requests.delete(f"{url}/api/v2/filters/keywords/{keyword['id']}", headers=auth, timeout=10).status_code == 200
    entry = olga.add_filter_status_v2(warn["id"], concat["id"])
    assert entry["status_id"] == concat["id"]
    assert {s["id"]: s for s in olga.timeline_home()}[concat["id"]]["filtered"][0]["status_matches"] == [concat["id"]]
    assert requests.get(f"{url}/api/v2/filters/{warn['id']}", headers={"Authorization": f"Bearer {minjun.access_token}"}, timeout=10).status_code == 404
    renamed = olga.update_filter_v2(warn["id"], title="고양이", context=["home", "thread"])
    assert renamed["title"] == "고양이" and sorted(renamed["context"]) == ["home", "thread"]
    bad = requests.post(f"{url}/api/v2/filters", json={"title": "x", "context": ["nowhere"]}, headers=auth, timeout=10)
    assert bad.status_code == 422
    assert len(olga.filters_v2()) == 1, "a refused filter is not stored"
    expiring = requests.post(f"{url}/api/v2/filters", json={"title": "soon", "context": ["home"], "filter_action": "hide", "expires_in": 3600,
                                                            "keywords_attributes": [{"keyword": "asleep"}]}, headers=auth, timeout=10).json()
    assert expiring["expires_at"] and cat["id"] not in ids(olga.timeline_home())


def test_v1_filters(pair):
    minjun, olga = pair["minjun"], pair["olga"]
    post = minjun.status_post("Привет, мир")
    created = olga.filter_create("мир", ["home"], irreversible=True, whole_word=False)
    for key in ["id", "phrase", "context", "expires_at", "irreversible", "whole_word"]:
        assert key in created
    assert post["id"] not in ids(olga.timeline_home())
    assert [f["phrase"] for f in olga.filters()] == ["мир"]
    updated = olga.filter_update(created["id"], phrase="другое", context=["home"])
    assert updated["phrase"] == "другое"
    assert post["id"] in ids(olga.timeline_home())
    olga.filter_delete(created["id"])
    assert olga.filters() == [] and olga.filters_v2() == []

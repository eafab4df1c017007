"""What Mastodon apps call at launch and on every refresh, with Mastodon.py and plain HTTP, on both engines:
preferences, markers, the unread count, the app's own credentials, instance rules/peers/activity, NodeInfo,
OAuth server metadata, mutes and blocks paged, multi-gets, status source, pins, followed tags reaching home,
notes, endorsements, the directory, trends, suggestions, the `status.update` stream event, and search by
`name@domain`, hashtag prefix and status URL."""
import datetime
import json
import os
import time

import pytest
import requests
from mastodon import Mastodon

from conftest import PASSWORD, Server

MEMBERS = ["minjun", "olga", "yuki", "li"]


@pytest.fixture
def apps(any_server):
    for name in MEMBERS:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    client_id, secret = Mastodon.create_app("startup e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {"url": any_server.url, "client_id": client_id, "secret": secret, "server": any_server}
    for name in MEMBERS:
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    return clients


def get(apps, client, path, **params):
    response = requests.get(apps["url"] + path, params=params, headers={"Authorization": f"Bearer {client.access_token}"}, timeout=10)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response


def post(apps, client, path, data=None):
    return requests.post(apps["url"] + path, data=data or {}, headers={"Authorization": f"Bearer {client.access_token}"}, timeout=10)


def test_preferences_markers_unread_count_and_app_credentials(apps):
    minjun, olga = apps["minjun"], apps["olga"]
    prefs = minjun.preferences()
    for key in ["posting:default:visibility", "posting:default:sensitive", "posting:default:language", "reading:expand:media",
                "reading:expand:spoilers"]:
        assert key in prefs
    assert prefs["posting:default:visibility"] == "public"
    assert get(apps, minjun, "/api/v1/markers", **{"timeline[]": ["home", "notifications"]}).json() == {}
    post_ = minjun.status_post("@olga 안녕")
    minjun.status_post("@olga 두 번째")
    assert get(apps, olga, "/api/v1/notifications/unread_count").json() == {"count": 2}
    notes = olga.notifications()
    saved = minjun.markers_set(["home"], [post_["id"]])
    assert saved["home"]["last_read_id"] == post_["id"] and saved["home"]["version"] == 1 and "updated_at" in saved["home"]
    read = minjun.markers_get(["home"])
    assert read["home"]["last_read_id"] == post_["id"]
    olga.markers_set(["notifications"], [notes[-1]["id"]])
    assert get(apps, olga, "/api/v1/notifications/unread_count").json() == {"count": 1}, "older notifications are read"
    bad = post(apps, minjun, "/api/v1/markers", {"home[last_read_id]": "x"})
    assert bad.status_code == 422
    app = get(apps, minjun, "/api/v1/apps/verify_credentials").json()
    assert app["name"] == "startup e2e" and "vapid_key" in app
    app_token = requests.post(apps["url"] + "/oauth/token", data={"grant_type": "client_credentials", "client_id": apps["client_id"],
                                                                 "client_secret": apps["secret"], "scope": "read"}, timeout=10).json()
    as_app = requests.get(apps["url"] + "/api/v1/apps/verify_credentials", headers={"Authorization": f"Bearer {app_token['access_token']}"}, timeout=10)
    assert as_app.status_code == 200 and as_app.json()["name"] == "startup e2e"
    assert requests.get(apps["url"] + "/api/v1/apps/verify_credentials", timeout=10).status_code == 401


def test_instance_documents_and_discovery(apps):
    minjun, url = apps["minjun"], apps["url"]
    assert requests.get(url + "/api/v1/instance/rules", timeout=10).json() == []
    assert requests.get(url + "/api/v1/instance/peers", timeout=10).json() == []
    minjun.status_post("activity")
    activity = get(apps, minjun, "/api/v1/instance/activity").json()
    assert len(activity) == 12 and set(activity[0]) == {"week", "statuses", "logins", "registrations"}
    assert activity[0]["statuses"] == "1" and activity[0]["registrations"] == str(len(MEMBERS))
    links = requests.get(url + "/.well-known/nodeinfo", timeout=10).json()["links"]
    assert links[0]["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.0"
    nodeinfo = requests.get(links[0]["href"], timeout=10).json()
    assert nodeinfo["version"] == "2.0" and nodeinfo["software"]["name"] == "starcon" and nodeinfo["usage"]["users"]["total"] == len(MEMBERS)
    assert nodeinfo["openRegistrations"] is False and nodeinfo["protocols"] == []
    assert requests.get(url + "/.well-known/oauth-authorization-server", timeout=10).status_code == 404, "only an https issuer has one"
    secure = Server(apps["server"].data + "/https", extra=["--public-url", "https://starcon.example"])
    os.makedirs(secure.data, exist_ok=True)
    secure.start()
    try:
        oauth = requests.get(secure.url + "/.well-known/oauth-authorization-server", timeout=10).json()
    finally:
        secure.stop()
    url = "https://starcon.example"
    for key in ["issuer", "authorization_endpoint", "token_endpoint", "revocation_endpoint", "scopes_supported", "response_types_supported",
                "grant_types_supported", "app_registration_endpoint"]:
        assert key in oauth
    assert oauth["token_endpoint"] == url + "/oauth/token" and "code" in oauth["response_types_supported"]
    url = apps["url"]
    assert get(apps, minjun, "/api/v1/domain_blocks").json() == []
    assert get(apps, minjun, "/api/v1/featured_tags").json() == []


def test_mutes_and_blocks_are_paged_for_review(apps):
    minjun = apps["minjun"]
    others = [apps[name].me()["id"] for name in ["olga", "yuki", "li"]]
    for other in others:
        minjun.account_mute(other)
        minjun.account_block(other)
    for path in ["/api/v1/mutes", "/api/v1/blocks"]:
        first = get(apps, minjun, path, limit=2)
        assert len(first.json()) == 2 and 'rel="next"' in first.headers["Link"]
        for key in ["id", "username", "acct", "display_name", "avatar", "url"]:
            assert key in first.json()[0]
        rest = requests.get(first.links["next"]["url"], headers={"Authorization": f"Bearer {minjun.access_token}"}, timeout=10).json()
        assert sorted([a["id"] for a in first.json()] + [a["id"] for a in rest]) == sorted(others)
    minjun.account_unblock(others[0])
    assert others[0] not in [a["id"] for a in minjun.blocks()]


def test_multi_get_source_pins_notes_and_endorsements(apps):
    minjun, olga = apps["minjun"], apps["olga"]
    ids = [minjun.me()["id"], olga.me()["id"], "999999"]
    accounts = get(apps, olga, "/api/v1/accounts", **{"id[]": ids}).json()
    assert [a["id"] for a in accounts] == ids[:2]
    first, second = minjun.status_post("첫 번째 #태그"), minjun.status_post("두 번째", spoiler_text="주의")
    statuses = get(apps, olga, "/api/v1/statuses", **{"id[]": [first["id"], second["id"], "1"]}).json()
    assert [s["id"] for s in statuses] == [first["id"], second["id"]]
    source = minjun.status_source(second["id"])
    assert source == {"id": second["id"], "text": "두 번째", "spoiler_text": "주의"}
    pinned = minjun.status_pin(first["id"])
    assert pinned["pinned"] is True
    assert [s["id"] for s in olga.account_statuses(minjun.me()["id"], pinned=True)] == [first["id"]]
    assert post(apps, olga, f"/api/v1/statuses/{first['id']}/pin").status_code in (403, 404, 422)
    assert minjun.status_unpin(first["id"])["pinned"] is False
    assert olga.account_statuses(minjun.me()["id"], pinned=True) == []
    relationship = olga.account_note_set(minjun.me()["id"], "만난 적 있음")
    assert relationship["note"] == "만난 적 있음"
    assert olga.account_relationships(minjun.me()["id"])[0]["note"] == "만난 적 있음"
    assert post(apps, olga, f"/api/v1/accounts/{minjun.me()['id']}/pin").status_code == 422, "only followed members are endorsed"
    olga.account_follow(minjun.me()["id"])
    assert olga.account_pin(minjun.me()["id"])["endorsed"] is True
    assert [a["id"] for a in olga.endorsements()] == [minjun.me()["id"]]
    assert [a["id"] for a in get(apps, minjun, f"/api/v1/accounts/{olga.me()['id']}/endorsements").json()] == [minjun.me()["id"]]
    assert olga.account_unpin(minjun.me()["id"])["endorsed"] is False


def test_followed_tags_reach_home_and_tag_entity(apps):
    minjun, yuki = apps["minjun"], apps["yuki"]
    tag = yuki.tag_follow("냉면")
    assert tag["name"] == "냉면" and tag["following"] is True and "url" in tag and "history" in tag
    assert [t["name"] for t in yuki.followed_tags()] == ["냉면"]
    tagged = minjun.status_post("오늘은 #냉면")
    minjun.status_post("오늘은 #비빔밥")
    assert [s["id"] for s in yuki.timeline_home()] == [tagged["id"]]
    assert yuki.tag("냉면")["following"] is True
    assert yuki.tag_unfollow("냉면")["following"] is False
    assert yuki.followed_tags() == []
    assert requests.post(apps["url"] + "/api/v1/tags/%20bad%20/follow", headers={"Authorization": f"Bearer {yuki.access_token}"},
                         timeout=10).status_code == 422


def test_directory_trends_and_suggestions(apps):
    minjun, olga, yuki = apps["minjun"], apps["olga"], apps["yuki"]
    popular = minjun.status_post("인기 #서울")
    olga.status_post("#서울 좋아")
    olga.status_favourite(popular["id"])
    yuki.status_reblog(popular["id"])
    tags = get(apps, olga, "/api/v1/trends/tags").json()
    assert tags[0]["name"] == "서울" and tags[0]["history"][0]["uses"] == "2" and tags[0]["history"][0]["accounts"] == "2"
    assert [s["id"] for s in get(apps, olga, "/api/v1/trends/statuses").json()] == [popular["id"]]
    directory = get(apps, olga, "/api/v1/directory", order="new").json()
    assert {a["username"] for a in directory} == set(MEMBERS)
    apps["li"].account_update_credentials(discoverable=False)
    assert "li" not in {a["username"] for a in get(apps, olga, "/api/v1/directory").json()}
    olga.account_follow(minjun.me()["id"])
    suggestions = get(apps, olga, "/api/v2/suggestions").json()
    assert {s["account"]["username"] for s in suggestions} == {"yuki"} and suggestions[0]["source"]
    assert "sources" in suggestions[0]


def test_search_by_address_tag_prefix_and_status_url(apps):
    minjun, olga, server = apps["minjun"], apps["olga"], apps["server"]
    domain = requests.get(apps["url"] + "/api/v1/instance", timeout=10).json()["uri"]
    for query in [f"minjun@{domain}", f"@minjun@{domain}"]:
        assert [a["username"] for a in olga.search(query, result_type="accounts")["accounts"]] == ["minjun"], query
    assert olga.search("minjun@elsewhere.example", result_type="accounts")["accounts"] == []
    posted = minjun.status_post("#평양냉면 #평양 맛집")
    names = [t["name"] for t in olga.search("#평양", result_type="hashtags")["hashtags"]]
    assert set(names) == {"평양냉면", "평양"}
    found = olga.search(posted["url"], result_type="statuses")["statuses"]
    assert [s["id"] for s in found] == [posted["id"]]


def test_edit_sends_status_update_on_the_stream(apps):
    import websockets.sync.client as ws_client
    minjun, olga = apps["minjun"], apps["olga"]
    olga.account_follow(minjun.me()["id"])
    posted = minjun.status_post("처음")
    url = apps["url"].replace("http", "ws") + f"/api/v1/streaming?stream=user&access_token={olga.access_token}"
    with ws_client.connect(url) as socket:
        time.sleep(0.5)
        minjun.status_update(posted["id"], "고침")
        deadline = time.time() + 10
        while time.time() < deadline:
            frame = json.loads(socket.recv(timeout=10))
            if frame["event"] == "status.update":
                payload = json.loads(frame["payload"])
                assert payload["id"] == posted["id"] and "고침" in payload["content"] and payload["edited_at"]
                break
        else:
            pytest.fail("no status.update")


def utc_midnight(days_ago=0):
    return str((int(time.time()) // 86_400 - days_ago) * 86_400)


def test_tag_history_per_utc_day_on_the_tag_search_and_trends(apps):
    minjun, olga, yuki = apps["minjun"], apps["olga"], apps["yuki"]
    minjun.status_post("#한강 산책")
    minjun.status_post("또 #한강")
    olga.status_post("#한강 좋아요")
    yuki.status_post("비밀 #한강", visibility="private")  # not counted: only public statuses make history
    # Plain HTTP: Mastodon.py turns the days into datetimes.
    for source in [lambda: get(apps, yuki, "/api/v1/tags/한강").json(),
                   lambda: [t for t in get(apps, olga, "/api/v2/search", q="#한강", type="hashtags").json()["hashtags"] if t["name"] == "한강"][0],
                   lambda: [t for t in get(apps, olga, "/api/v1/trends/tags").json() if t["name"] == "한강"][0]]:
        history = source()["history"]
        assert len(history) == 7, history
        assert history[0] == {"day": utc_midnight(), "uses": "3", "accounts": "2"}
        assert [h["day"] for h in history] == [utc_midnight(n) for n in range(7)]
        assert all(h["uses"] == "0" for h in history[1:])
    unused = get(apps, yuki, "/api/v1/tags/아무도안씀").json()["history"]
    assert len(unused) == 7 and {h["uses"] for h in unused} == {"0"}


def test_an_exclusive_list_keeps_its_members_out_of_home(apps):
    olga, yuki, li = apps["olga"], apps["yuki"], apps["li"]
    olga.account_follow(yuki.me()["id"])
    olga.account_follow(li.me()["id"])
    made = post(apps, olga, "/api/v1/lists", {"title": "가족", "exclusive": "true"}).json()
    assert made["exclusive"] is True
    olga.list_accounts_add(made["id"], [yuki.me()["id"]])
    hidden = yuki.status_post("가족에게만 보이는 홈")
    shown = li.status_post("홈에 보이는 글")
    home = [s["id"] for s in olga.timeline_home()]
    assert shown["id"] in home and hidden["id"] not in home
    assert [s["id"] for s in olga.timeline_list(made["id"])] == [hidden["id"]]
    assert olga.list(made["id"])["exclusive"] is True
    updated = requests.put(f"{apps['url']}/api/v1/lists/{made['id']}", data={"exclusive": "false"},
                           headers={"Authorization": f"Bearer {olga.access_token}"}, timeout=10).json()
    assert updated["exclusive"] is False
    assert hidden["id"] in [s["id"] for s in olga.timeline_home()]


def test_source_sensitive_is_the_default_for_new_statuses(apps):
    minjun = apps["minjun"]
    headers = {"Authorization": f"Bearer {minjun.access_token}"}
    assert minjun.account_verify_credentials()["source"]["sensitive"] is False
    assert minjun.status_post("기본값")["sensitive"] is False
    changed = requests.patch(apps["url"] + "/api/v1/accounts/update_credentials", data={"source[sensitive]": "true"}, headers=headers, timeout=10)
    assert changed.status_code == 200 and changed.json()["source"]["sensitive"] is True
    assert minjun.account_verify_credentials()["source"]["sensitive"] is True
    assert minjun.preferences()["posting:default:sensitive"] is True
    # Plain HTTP: Mastodon.py always sends `sensitive` (false unless asked), which is the client saying so.
    default = post(apps, minjun, "/api/v1/statuses", {"status": "민감한 기본값"}).json()
    assert default["sensitive"] is True and default["spoiler_text"] == ""
    assert minjun.status(default["id"])["sensitive"] is True, "stored, not only echoed"
    assert minjun.status_post("명시적으로 아님", sensitive=False)["sensitive"] is False, "the client's word wins"
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=30)).isoformat()
    scheduled = post(apps, minjun, "/api/v1/statuses", {"status": "예약", "scheduled_at": later}).json()
    assert scheduled["params"]["sensitive"] is True


def test_a_scheduled_statuses_text_is_edited(apps):
    olga = apps["olga"]
    headers = {"Authorization": f"Bearer {olga.access_token}"}
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=30)
    scheduled = post(apps, olga, "/api/v1/statuses", {"status": "오타가 있는 글", "scheduled_at": at.isoformat()}).json()
    url = f"{apps['url']}/api/v1/scheduled_statuses/{scheduled['id']}"
    edited = requests.put(url, data={"status": "고친 글", "spoiler_text": "스포일러"}, headers=headers, timeout=10)
    assert edited.status_code == 200, edited.text
    params = edited.json()["params"]
    assert params["text"] == "고친 글" and params["spoiler_text"] == "스포일러" and params["sensitive"] is True
    assert edited.json()["scheduled_at"] == scheduled["scheduled_at"], "the time is kept"
    for bad in [{}, {"status": "   "}, {"scheduled_at": "내일"}]:
        refused = requests.put(url, data=bad, headers=headers, timeout=10)
        assert refused.status_code == 422 and "error" in refused.json(), bad
    assert get(apps, olga, f"/api/v1/scheduled_statuses/{scheduled['id']}").json()["params"]["text"] == "고친 글", "a refused edit changes nothing"
    other = requests.put(url, data={"status": "남의 글"}, headers={"Authorization": f"Bearer {apps['yuki'].access_token}"}, timeout=10)
    assert other.status_code == 404

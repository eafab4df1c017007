"""Posting through the Mastodon API the way apps do, on both engines: a retried post with an Idempotency-Key
posts once (also when the retries race), an empty text is `content: ""`, `unlisted` stays out of the public and
hashtag timelines, `language` is stored or detected, `only_media`, scheduled statuses published by the job on
time, and polls (a vote counts once per member, the end is notified)."""
import datetime
import io
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError

from conftest import PASSWORD, psql

PHOTO = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures" / "oriented.jpg"
MEMBERS = ["minjun", "olga", "yuki"]


@pytest.fixture
def posting(any_server):
    for name in MEMBERS:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    client_id, secret = Mastodon.create_app("posting e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {}
    for name in MEMBERS:
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    clients["server"] = any_server
    return clients


def auth(client):
    return {"Authorization": f"Bearer {client.access_token}"}


def sql(server, statement):
    """Moves the clock of a stored row (a scheduled time, a poll's end), as waiting minutes would."""
    if server.database:
        psql(statement, url=server.database)
    else:
        connection = sqlite3.connect(os.path.join(server.data, "starcon.sqlite"), timeout=10)
        with connection:
            connection.execute(statement)
        connection.close()


def wait_for(predicate, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


def in_the(minutes):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)).isoformat()


def test_idempotency_key_posts_once_even_when_retries_race(posting):
    minjun, url = posting["minjun"], posting["server"].url
    headers = dict(auth(minjun), **{"Idempotency-Key": "retry-1"})
    first = requests.post(url + "/api/v1/statuses", data={"status": "한 번만"}, headers=headers, timeout=10).json()
    again = requests.post(url + "/api/v1/statuses", data={"status": "한 번만"}, headers=headers, timeout=10).json()
    assert again["id"] == first["id"]
    other = posting["olga"]
    theirs = requests.post(url + "/api/v1/statuses", data={"status": "same key, another member"},
                           headers=dict(auth(other), **{"Idempotency-Key": "retry-1"}), timeout=10).json()
    assert theirs["id"] != first["id"]
    results = []

    def post():
        response = requests.post(url + "/api/v1/statuses", data={"status": "경쟁"},
                                 headers=dict(auth(minjun), **{"Idempotency-Key": "race"}), timeout=20)
        results.append(response.json()["id"])

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1, results
    texts = [s["content"] for s in minjun.account_statuses(minjun.me()["id"], limit=40)]
    assert sum("경쟁" in t for t in texts) == 1 and sum("한 번만" in t for t in texts) == 1
    too_long = requests.post(url + "/api/v1/statuses", data={"status": "x"}, headers=dict(auth(minjun), **{"Idempotency-Key": "k" * 300}),
                             timeout=10)
    assert too_long.status_code == 422


def test_empty_text_unlisted_language_and_only_media(posting):
    minjun, olga = posting["minjun"], posting["olga"]
    media = minjun.media_post(io.BytesIO(PHOTO.read_bytes()), mime_type="image/jpeg")
    photo_only = minjun.status_post("", media_ids=[media["id"]])
    assert photo_only["content"] == ""
    unlisted = minjun.status_post("조용히 #조용 글", visibility="unlisted")
    assert unlisted["visibility"] == "unlisted" and unlisted["language"] == "ko"
    public = minjun.status_post("Всем привет #조용")
    assert public["language"] == "ru"
    assert minjun.status_post("こんにちは")["language"] == "ja"
    assert minjun.status_post("你好")["language"] == "zh"
    assert minjun.status_post("plain", language="de")["language"] == "de"
    public_ids = [s["id"] for s in olga.timeline_public()]
    assert public["id"] in public_ids and unlisted["id"] not in public_ids
    assert [s["id"] for s in olga.timeline_hashtag("조용")] == [public["id"]]
    profile = [s["id"] for s in olga.account_statuses(minjun.me()["id"])]
    assert unlisted["id"] in profile
    assert olga.status(unlisted["id"])["visibility"] == "unlisted"
    olga.account_follow(minjun.me()["id"])
    assert unlisted["id"] in [s["id"] for s in olga.timeline_home()], "unlisted still reaches followers' home"
    assert [s["id"] for s in olga.timeline_public(only_media=True)] == [photo_only["id"]]
    assert [s["id"] for s in olga.account_statuses(minjun.me()["id"], only_media=True)] == [photo_only["id"]]
    assert olga.status_reblog(unlisted["id"])["reblog"]["id"] == unlisted["id"], "an unlisted post may be reposted"


def test_scheduled_status_is_published_by_the_job_on_time(posting):
    minjun, olga, server = posting["minjun"], posting["olga"], posting["server"]
    url = server.url
    soon = requests.post(url + "/api/v1/statuses", data={"status": "too soon", "scheduled_at": in_the(2)}, headers=auth(minjun), timeout=10)
    assert soon.status_code == 422 and "error" in soon.json()
    media = minjun.media_post(io.BytesIO(PHOTO.read_bytes()), mime_type="image/jpeg")
    scheduled = minjun.status_post("내일 아침 #예약", scheduled_at=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10),
                                   media_ids=[media["id"]], visibility="unlisted")
    for key in ["id", "scheduled_at", "params", "media_attachments"]:
        assert key in scheduled
    assert scheduled["params"]["text"] == "내일 아침 #예약" and scheduled["params"]["visibility"] == "unlisted"
    assert [m["id"] for m in scheduled["media_attachments"]] == [media["id"]]
    listed = minjun.scheduled_statuses()
    assert [s["id"] for s in listed] == [scheduled["id"]]
    assert minjun.scheduled_status(scheduled["id"])["id"] == scheduled["id"]
    assert requests.get(f"{url}/api/v1/scheduled_statuses/{scheduled['id']}", headers=auth(olga), timeout=10).status_code == 404
    later = requests.put(f"{url}/api/v1/scheduled_statuses/{scheduled['id']}", data={"scheduled_at": in_the(20)}, headers=auth(minjun), timeout=10)
    assert later.status_code == 200 and later.json()["scheduled_at"] != scheduled["scheduled_at"]
    too_soon = requests.put(f"{url}/api/v1/scheduled_statuses/{scheduled['id']}", data={"scheduled_at": in_the(1)}, headers=auth(minjun), timeout=10)
    assert too_soon.status_code == 422
    cancelled = minjun.status_post("취소될 글", scheduled_at=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=30))
    assert requests.delete(f"{url}/api/v1/scheduled_statuses/{cancelled['id']}", headers=auth(minjun), timeout=10).status_code == 200
    assert [s["id"] for s in minjun.scheduled_statuses()] == [scheduled["id"]]
    time.sleep(6)
    assert minjun.account_statuses(minjun.me()["id"]) == [], "not before its time"
    sql(server, f"UPDATE scheduled_statuses SET scheduled_at = 0 WHERE id = {int(scheduled['id'])}")
    published = wait_for(lambda: minjun.account_statuses(minjun.me()["id"]))
    assert len(published) == 1 and "내일 아침" in published[0]["content"] and published[0]["visibility"] == "unlisted"
    assert [m["id"] for m in published[0]["media_attachments"]] == [media["id"]]
    assert minjun.scheduled_statuses() == []
    time.sleep(6)
    assert len(minjun.account_statuses(minjun.me()["id"])) == 1, "published once"


def test_poll_counts_each_member_once_and_tells_voters_when_it_ends(posting):
    minjun, olga, yuki, server = posting["minjun"], posting["olga"], posting["yuki"], posting["server"]
    url = server.url
    poll_status = minjun.status_post("점심 뭐 먹을까?", poll=minjun.make_poll(["냉면", "비빔밥", "김밥"], expires_in=600, multiple=True))
    poll = poll_status["poll"]
    for key in ["id", "expires_at", "expired", "multiple", "votes_count", "voters_count", "options", "emojis", "voted", "own_votes"]:
        assert key in poll
    assert [o["title"] for o in poll["options"]] == ["냉면", "비빔밥", "김밥"] and poll["multiple"] is True and poll["expired"] is False
    voted = olga.poll_vote(poll["id"], [0, 2])
    assert voted["voted"] is True and voted["own_votes"] == [0, 2] and voted["votes_count"] == 2 and voted["voters_count"] == 1
    again = requests.post(f"{url}/api/v1/polls/{poll['id']}/votes", data={"choices[]": ["1"]}, headers=auth(olga), timeout=10)
    assert again.status_code == 422
    bad = requests.post(f"{url}/api/v1/polls/{poll['id']}/votes", data={"choices[]": ["7"]}, headers=auth(yuki), timeout=10)
    assert bad.status_code == 422
    yuki.poll_vote(poll["id"], [0])
    read = yuki.poll(poll["id"])
    assert read["voters_count"] == 2 and read["votes_count"] == 3 and [o["votes_count"] for o in read["options"]] == [2, 0, 1]
    assert olga.status(poll_status["id"])["poll"]["own_votes"] == [0, 2]
    single = minjun.status_post("하나만", poll=minjun.make_poll(["a", "b"], expires_in=300, hide_totals=True))
    two = requests.post(f"{url}/api/v1/polls/{single['poll']['id']}/votes", data={"choices[]": ["0", "1"]}, headers=auth(olga), timeout=10)
    assert two.status_code == 422, "one choice in a single-choice poll"
    hidden = olga.poll_vote(single["poll"]["id"], [1])
    assert [o["votes_count"] for o in hidden["options"]] == [None, None], "totals hidden until the end"
    for bad_poll in [{"poll[options][]": ["only one"], "poll[expires_in]": "600"},
                     {"poll[options][]": ["a", "b"], "poll[expires_in]": "10"},
                     {"poll[options][]": ["a", "a"], "poll[expires_in]": "600"}]:
        response = requests.post(url + "/api/v1/statuses", data=dict(bad_poll, status="bad poll"), headers=auth(minjun), timeout=10)
        assert response.status_code == 422, bad_poll
    json_poll = requests.post(url + "/api/v1/statuses", json={"status": "JSON poll", "poll": {"options": ["x", "y"], "expires_in": 300}},
                              headers=auth(minjun), timeout=10).json()
    assert [o["title"] for o in json_poll["poll"]["options"]] == ["x", "y"]
    sql(server, f"UPDATE polls SET expires_at = 0 WHERE status_id = {int(poll['id'])}")
    ended = wait_for(lambda: [n for n in olga.notifications() if n["type"] == "poll"])
    assert ended and ended[0]["status"]["id"] == poll_status["id"] and ended[0]["status"]["poll"]["expired"] is True
    assert wait_for(lambda: [n for n in minjun.notifications() if n["type"] == "poll"]), "the author is told too"
    late = requests.post(f"{url}/api/v1/polls/{poll['id']}/votes", data={"choices[]": ["1"]}, headers=auth(minjun), timeout=10)
    assert late.status_code == 422
    time.sleep(6)
    assert len([n for n in olga.notifications() if n["type"] == "poll"]) == 1, "told once"


def test_update_credentials_multipart_with_avatar_header_fields_and_source(posting):
    minjun, olga, url = posting["minjun"], posting["olga"], posting["server"].url
    photo = PHOTO.read_bytes()
    response = requests.patch(url + "/api/v1/accounts/update_credentials", headers=auth(minjun), timeout=30,
                              files={"avatar": ("me.jpg", photo, "image/jpeg"), "header": ("header.jpg", photo, "image/jpeg")},
                              data={"display_name": "김민준", "note": "안녕", "bot": "true", "discoverable": "false",
                                    "fields_attributes[0][name]": "사이트", "fields_attributes[0][value]": "https://intra.example/<b>",
                                    "fields_attributes[1][name]": "Город", "fields_attributes[1][value]": "Сеул",
                                    "source[privacy]": "unlisted", "source[language]": "ko", "source[sensitive]": "true"})
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["display_name"] == "김민준" and me["bot"] is True and me["discoverable"] is False
    assert [f["name"] for f in me["fields"]] == ["사이트", "Город"] and "&lt;b&gt;" in me["fields"][0]["value"]
    assert me["source"]["privacy"] == "unlisted" and me["source"]["language"] == "ko" and me["source"]["sensitive"] is True
    assert me["source"]["fields"][0]["value"] == "https://intra.example/<b>"
    assert "/media/" in me["avatar"] and "/media/" in me["header"] and me["avatar"] != me["header"]
    served = requests.get(me["avatar"], timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("image/")
    seen = olga.account(me["id"])
    assert seen["avatar"] == me["avatar"] and seen["fields"][1]["value"] == "Сеул"
    assert minjun.account_verify_credentials()["source"]["privacy"] == "unlisted"
    assert minjun.status_post("기본 공개 범위")["visibility"] == "unlisted", "the member's default privacy applies"
    assert minjun.status_post("Hello")["language"] == "ko", "the member's posting language comes before a guess, as on Mastodon"
    with_json = minjun.account_update_credentials(fields=[("one", "1")], bot=False)
    assert [(f["name"], f["value"]) for f in with_json["fields"]] == [("one", "1")] and with_json["bot"] is False
    too_many = {f"fields_attributes[{i}][name]": f"n{i}" for i in range(5)}
    refused = requests.patch(url + "/api/v1/accounts/update_credentials", data=too_many, headers=auth(minjun), timeout=10)
    assert refused.status_code == 422
    assert minjun.account_verify_credentials()["fields"][0]["name"] == "one", "a refused update changes nothing"
    garbage = requests.patch(url + "/api/v1/accounts/update_credentials", headers=auth(minjun), timeout=10,
                             files={"avatar": ("x.jpg", b"not an image", "image/jpeg")}, data={"display_name": "바뀌면 안 됨"})
    assert garbage.status_code == 422
    assert minjun.account_verify_credentials()["display_name"] == "김민준"


def test_poll_on_the_web_without_javascript(posting):
    from webclient import WebClient
    minjun, server = posting["minjun"], posting["server"]
    posted = minjun.status_post("어느 쪽?", poll=minjun.make_poll(["왼쪽", "오른쪽"], expires_in=3600))
    web = WebClient(server.url, language="ko")
    web.login("olga")
    page_path = f"/@minjun/{posted['id']}"
    page = web.get(page_path)
    assert page.status_code == 200 and 'type="radio" name="choice" value="1"' in page.text
    voted = web.post(f"/statuses/{posted['id']}/vote", {"choice": "1", "return_to": page_path}, page=page_path)
    assert voted.status_code == 200 and "<progress" in voted.text and "100%" in voted.text and 'name="choice"' not in voted.text
    assert minjun.poll(posted["poll"]["id"])["options"][1]["votes_count"] == 1
    again = web.post(f"/statuses/{posted['id']}/vote", {"choice": "0", "return_to": page_path}, page="/")
    assert minjun.poll(posted["poll"]["id"])["votes_count"] == 1, "a second web vote changes nothing"
    assert again.status_code in (200, 422)


def test_direct_status_reaches_the_recipients_home_only(posting):
    minjun, olga, yuki = posting["minjun"], posting["olga"], posting["yuki"]
    yuki.account_follow(minjun.me()["id"])
    direct = minjun.status_post("@olga 비밀", visibility="direct")
    assert direct["id"] in [s["id"] for s in olga.timeline_home()]
    assert direct["id"] in [s["id"] for s in minjun.timeline_home()]
    assert direct["id"] not in [s["id"] for s in yuki.timeline_home()], "a follower who is not mentioned does not get it"


def test_profile_settings_on_the_web_without_javascript(posting):
    from webclient import WebClient
    minjun, olga, server = posting["minjun"], posting["olga"], posting["server"]
    web = WebClient(server.url, language="en")
    web.login("minjun")
    token = web.csrf("/settings")
    form = {"_csrf": token, "display_name": "Minjun Kim", "bio": "hello", "language": "", "time_zone": "",
            "field_name_1": "Site", "field_value_1": "https://intra.example", "field_name_2": "", "field_value_2": "", "bot": "1"}
    saved = web.session.post(server.url + "/settings", data=form, files={"avatar": ("me.jpg", PHOTO.read_bytes(), "image/jpeg")}, timeout=30)
    assert saved.status_code == 200, saved.text[:500]
    me = olga.account(minjun.me()["id"])
    assert me["display_name"] == "Minjun Kim" and me["bot"] is True and [f["name"] for f in me["fields"]] == ["Site"]
    assert "/media/" in me["avatar"]
    minjun.status_pin(minjun.status_post("고정")["id"])
    minjun.status_post("나중 글")
    page = WebClient(server.url, language="en")
    page.login("olga")
    profile = page.get("/@minjun").text
    assert me["avatar"].replace(server.url, "") in profile and "<dt>Site</dt>" in profile
    assert profile.index("고정") < profile.index("나중 글"), "the pinned post comes first"
    bad = dict(form, _csrf=web.csrf("/settings"), display_name="Should not stick")
    refused = web.session.post(server.url + "/settings", data=bad, files={"header": ("x.jpg", b"not a photo", "image/jpeg")}, timeout=30)
    assert refused.status_code in (400, 422)
    assert olga.account(minjun.me()["id"])["display_name"] == "Minjun Kim"


def test_a_poll_is_made_from_the_web_composer_without_javascript(posting):
    from webclient import WebClient
    minjun, server = posting["minjun"], posting["server"]
    web = WebClient(server.url, language="ko")
    web.login("olga")
    home = web.get("/").text
    assert 'name="poll_option_1"' in home and 'name="poll_expires_in"' in home
    made = web.post("/statuses", {"text": "저녁 메뉴?", "poll_option_1": "짜장면", "poll_option_2": "짬뽕", "poll_option_3": "",
                                  "poll_expires_in": "3600", "visibility": "public", "return_to": "/"}, page="/")
    assert made.status_code == 200
    posted = minjun.account_statuses(posting["olga"].me()["id"])[0]
    assert [o["title"] for o in posted["poll"]["options"]] == ["짜장면", "짬뽕"] and posted["poll"]["multiple"] is False
    lonely = web.post("/statuses", {"text": "하나뿐", "poll_option_1": "혼자", "poll_expires_in": "3600", "visibility": "public", "return_to": "/"},
                      page="/")
    assert lonely.status_code == 422, "one option is not a poll"

"""Lists, filters and scheduled posts on the web without JavaScript, over HTTP against the real binary on both
engines: the same rules as the Mastodon API (ListService, FilterService, FeedService decide them once)."""
import datetime
import html
import re
import time
import zoneinfo

import pytest

from conftest import PASSWORD
from test_mastodon_posting import sql, wait_for
from webclient import WebClient, text_of


@pytest.fixture
def members(any_server):
    for name, display in [("minjun", "김민준"), ("olga", "Ольга Петрова"), ("yuki", "佐藤 由紀")]:
        result = any_server.cli("user", "add", name, "--display-name", display, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    clients = {"server": any_server}
    for name in ["minjun", "olga", "yuki"]:
        client = WebClient(any_server.url)
        client.login(name)
        clients[name] = client
    return clients


def post(client, text, expect=200, **fields):
    response = client.post("/statuses", dict({"text": text, "visibility": "public", "return_to": "/"}, **fields), page="/")
    assert response.status_code == expect, response.text[:300]
    return response


def follow(client, username):
    response = client.post(f"/@{username}/follow", {"return_to": f"/@{username}"}, page=f"/@{username}")
    assert response.status_code == 200


def account_id(client, username):
    page = client.get("/lists/" + client.current_list).text
    match = re.search(r'<option value="(\d+)">[^<]*\(@' + username + r'\)</option>', page)
    assert match, page[:2000]
    return match.group(1)


def test_a_list_holds_only_its_members(members):
    minjun, olga, yuki = members["minjun"], members["olga"], members["yuki"]
    follow(minjun, "olga")
    follow(minjun, "yuki")
    post(olga, "Ольга пишет в список")
    post(yuki, "由紀の投稿")
    empty = minjun.post("/lists", {"title": "   "})
    assert empty.status_code == 422 and "100" in text_of(empty.text)
    created = minjun.post("/lists", {"title": "친구들"})
    assert created.status_code == 200 and re.search(r"/lists/(\d+)$", created.url), created.url
    minjun.current_list = re.search(r"/lists/(\d+)$", created.url).group(1)
    path = "/lists/" + minjun.current_list
    assert "친구들" in created.text and "<h1>친구들</h1>" in created.text
    assert "친구들" in minjun.get("/lists").text
    olga_id, yuki_id = account_id(minjun, "olga"), account_id(minjun, "yuki")
    added = minjun.post(path + "/add", {"account_id": olga_id}, page=path)
    assert added.status_code == 200
    page = added.text
    assert "Ольга пишет в список" in page and "由紀の投稿" not in page, "only the list's members' posts"
    assert f'name="account_id" value="{olga_id}"' in page
    # Someone one does not follow cannot be put in a list: an error, and nothing changes.
    stranger = olga.post("/lists", {"title": "mine"})
    olga_list = re.search(r"/lists/(\d+)$", stranger.url).group(1)
    refused = olga.post(f"/lists/{olga_list}/add", {"account_id": yuki_id}, page=f"/lists/{olga_list}")
    assert refused.status_code == 422 and "follow" in text_of(refused.text)
    # Another member's list is not there for anyone else.
    assert olga.get(path).status_code == 404
    assert olga.post(path + "/delete", {}, page=f"/lists/{olga_list}").status_code == 404
    renamed = minjun.post(path + "/rename", {"title": "Семья"}, page=path)
    assert "<h1>Семья</h1>" in renamed.text
    removed = minjun.post(path + "/remove", {"account_id": olga_id}, page=path)
    assert "Ольга пишет в список" not in removed.text
    deleted = minjun.post(path + "/delete", {}, page=path)
    assert deleted.url.endswith("/lists") and "Семья" not in deleted.text
    assert minjun.get(path).status_code == 404


def test_filters_hide_and_warn_on_home(members):
    minjun, olga = members["minjun"], members["olga"]
    follow(minjun, "olga")
    post(olga, "Спойлер про финал сериала")
    post(olga, "Котики спят весь день")
    post(olga, "Обычный пост")
    missing = minjun.post("/settings/filters", {"title": "пусто", "keywords": " ", "home": "1", "action": "hide", "expires_in": "0"})
    assert missing.status_code == 422 and 'value="пусто"' in missing.text, "the form comes back with what was typed"
    no_place = minjun.post("/settings/filters", {"title": "нигде", "keywords": "котики", "action": "hide", "expires_in": "0"})
    assert no_place.status_code == 422
    hide = minjun.post("/settings/filters", {"title": "Спойлеры", "keywords": "спойлер, финал", "home": "1", "whole_word": "1",
                                              "action": "hide", "expires_in": "86400"})
    assert hide.status_code == 200 and "Спойлеры" in hide.text
    warn = minjun.post("/settings/filters", {"title": "Кошки", "keywords": "котики", "home": "1", "public": "1",
                                              "action": "warn", "expires_in": "0"}, page="/settings/filters")
    assert warn.status_code == 200
    home = minjun.get("/").text
    assert "Спойлер про финал" not in home, "a hide filter removes the post"
    assert "Обычный пост" in home
    folded = re.search(r'<details class="status-filtered"><summary>(.*?)</summary>(.*?)</details>', home, re.S)
    assert folded and "Кошки" in folded.group(1) and "Котики спят" in folded.group(2), "a warn filter folds the post"
    assert "Спойлер про финал" in minjun.get("/network").text, "a filter only where its contexts say"
    # The API sees the same filters (one service decides them).
    ids = re.findall(r'action="/settings/filters/(\d+)/delete"', minjun.get("/settings/filters").text)
    assert len(ids) == 2
    for filter_id in ids:
        minjun.post(f"/settings/filters/{filter_id}/delete", {}, page="/settings/filters")
    home = minjun.get("/").text
    assert "Спойлер про финал" in home and "status-filtered" not in home
    assert olga.post(f"/settings/filters/{ids[0]}/delete", {}, page="/settings/filters").status_code == 404


def test_a_post_scheduled_from_the_composer_in_the_members_time_zone(members):
    minjun, server = members["minjun"], members["server"]
    saved = minjun.post("/settings", {"display_name": "김민준", "bio": "", "language": "", "time_zone": "Asia/Seoul"})
    assert saved.status_code == 200
    home = minjun.get("/").text
    assert 'type="datetime-local"' in home and "Asia/Seoul" in home
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")
    soon = datetime.datetime.now(seoul) + datetime.timedelta(minutes=2)
    refused = post(minjun, "너무 이른 글", expect=422, scheduled_at=soon.strftime("%Y-%m-%dT%H:%M"))
    assert "5" in text_of(refused.text) and "너무 이른 글" in refused.text, "too soon: the composer comes back with the text"
    bad = post(minjun, "이상한 시각", expect=422, scheduled_at="내일")
    assert "이상한 시각" in bad.text
    later = (datetime.datetime.now(seoul) + datetime.timedelta(minutes=30)).replace(second=0, microsecond=0)
    scheduled = post(minjun, "예약된 아침 인사", scheduled_at=later.strftime("%Y-%m-%dT%H:%M"))
    assert scheduled.url.endswith("/settings/scheduled")
    assert "예약된 아침 인사" in scheduled.text and later.strftime("%Y-%m-%dT%H:%M") in scheduled.text, "shown in the member's zone"
    assert "예약된 아침 인사" not in minjun.get("/@minjun").text, "not before its time"
    scheduled_id = re.search(r'id="scheduled-(\d+)"', scheduled.text).group(1)
    moved = (later + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    rescheduled = minjun.post(f"/settings/scheduled/{scheduled_id}/reschedule", {"scheduled_at": moved}, page="/settings/scheduled")
    assert moved in rescheduled.text
    assert members["olga"].post(f"/settings/scheduled/{scheduled_id}/cancel", {}, page="/settings/scheduled").status_code == 404
    other = post(minjun, "취소할 글", scheduled_at=moved)
    other_id = [i for i in re.findall(r'id="scheduled-(\d+)"', other.text) if i != scheduled_id][0]
    cancelled = minjun.post(f"/settings/scheduled/{other_id}/cancel", {}, page="/settings/scheduled")
    assert "취소할 글" not in cancelled.text and "예약된 아침 인사" in cancelled.text
    # Publication is the job's (tested on the API); moving the time shows it posts the web's schedule too.
    sql(server, f"UPDATE scheduled_statuses SET scheduled_at = 0 WHERE id = {int(scheduled_id)}")
    assert wait_for(lambda: "예약된 아침 인사" in minjun.get("/@minjun").text)
    assert "예약된 아침 인사" not in minjun.get("/settings/scheduled").text


def test_home_marks_posts_after_the_marker_as_new(members):
    minjun, olga = members["minjun"], members["olga"]
    follow(minjun, "olga")
    post(olga, "Первый пост")
    first = minjun.get("/").text
    assert "Первый пост" in first and "status-new" not in first, "no marker yet: nothing is new on the first visit"
    post(olga, "Второй пост")
    post(olga, "Третий пост")
    page = minjun.get("/").text
    new_posts = re.findall(r'<article class="status[^"]*status-new[^"]*" id="status-\d+">.*?</article>', page, re.S)
    assert len(new_posts) == 2 and "Третий пост" in new_posts[0] and "Второй пост" in new_posts[1]
    assert "Первый пост" not in "".join(new_posts)
    assert "status-new" not in minjun.get("/").text, "reading the page moved the marker"
    # An older page does not move it back.
    assert "status-new" not in minjun.get("/?max_id=1").text
    post(olga, "Четвёртый пост")
    assert len(re.findall(r'status-new"', minjun.get("/").text)) == 1

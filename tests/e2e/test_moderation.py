"""Reports, suspensions and visitor passes against the real binary: a report through Mastodon.py's
`report()` and through the web form, a moderator's decision on Admin › Reports ending the author's API
token at once and telling the reporter, a timed suspension ended by the job, a visitor suspended when
their pass runs out and let back in when an admin extends it. On SQLite and on PostgreSQL."""
import html
import re
import time

import pytest
import requests
from mastodon import Mastodon, MastodonUnauthorizedError

from conftest import PASSWORD, Server
from test_mastodon_posting import sql, wait_for
from webclient import WebClient, text_of


@pytest.fixture(params=["sqlite", "postgres"])
def world(request, data_dir):
    database = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    # The moderation jobs look every second, so a pass or a timed suspension ends within the test.
    server = Server(data_dir, database=database, env={"STARCON_MODERATION_JOB_SECONDS": "1"}).start()
    for name, role in [("root", "admin"), ("mod", "moderator"), ("kim", "member"), ("lee", "member")]:
        result = server.cli("user", "add", name, "--role", role, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    yield server
    server.stop()


def api_for(server, name):
    app = Mastodon.create_app("moderation e2e", scopes=["read", "write", "follow"], api_base_url=server.url)
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=server.url, version_check_mode="none")
    api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
    return api


def web_for(server, name):
    web = WebClient(server.url, language="en")
    web.login(name)
    return web


def report_ids(page):
    return re.findall(r'id="report-(\d+)"', page)


def test_mastodon_report_then_suspension_ends_the_token_and_tells_the_reporter(world):
    lee, kim = api_for(world, "lee"), api_for(world, "kim")
    status = lee.status_post("cheap watches, click here")
    lee_id = lee.account_verify_credentials()["id"]
    report = kim.report(lee_id, status_ids=[status["id"]], comment="advertising", category="spam")
    assert report["category"] == "spam" and report["comment"] == "advertising" and report["action_taken"] is False
    assert report["status_ids"] == [str(status["id"])] and report["target_account"]["username"] == "lee"
    # Bad input changes nothing: an unknown category, a status that is not the account's, oneself.
    for fields in [{"account_id": lee_id, "category": "nonsense"},
                   {"account_id": lee_id, "status_ids[]": "1"},
                   {"account_id": kim.account_verify_credentials()["id"]}]:
        response = requests.post(world.url + "/api/v1/reports", data=fields,
                                    headers={"Authorization": f"Bearer {kim.access_token}"}, timeout=10)
        assert response.status_code in (404, 422) and "error" in response.json(), (fields, response.text)

    moderator = web_for(world, "mod")
    queue = moderator.get("/admin/reports").text
    assert report_ids(queue) == [report["id"]] and "cheap watches" in html.unescape(queue)
    decided = moderator.post(f"/admin/reports/{report['id']}", {"outcome": "suspend", "days": "3", "note": "spam"},
                             page="/admin/reports")
    assert decided.status_code == 200 and report_ids(decided.text) == []
    with pytest.raises(MastodonUnauthorizedError):
        lee.account_verify_credentials()
    refused = WebClient(world.url)
    refused.login("lee", expect=403)
    assert report_ids(moderator.get("/admin/reports?state=resolved").text) == [report["id"]]

    told = kim.notifications()
    assert [n["type"] for n in told] == ["report_resolved"]
    page = text_of(web_for(world, "kim").get("/notifications").text)
    assert "suspended for a time" in page
    audit = text_of(web_for(world, "root").get("/admin/audit").text)
    assert "Resolved a report" in audit and "Suspended a member" in audit


def test_web_report_form_and_a_warning_the_member_acknowledges(world):
    lee_web, kim_web = web_for(world, "lee"), web_for(world, "kim")
    status = api_for(world, "lee").status_post("you are all idiots")
    profile = kim_web.get("/@lee").text
    assert re.search(r'href="/report/account/\d+\?return_to=', profile), "the profile offers to report the account"
    link = html.unescape(re.search(r'class="report-link[^"]*" href="(/report/status/[^"]+)"', profile).group(1))
    assert link.startswith(f"/report/status/{status['id']}?return_to=")
    form = kim_web.get(link)
    assert form.status_code == 200 and 'name="category"' in form.text and "you are all idiots" in html.unescape(form.text)
    bad = kim_web.post(f"/report/status/{status['id']}", {"category": "nope", "return_to": "/@lee"}, page=link)
    assert bad.status_code == 422
    sent = kim_web.post(f"/report/status/{status['id']}", {"category": "abuse", "comment": "insults", "return_to": "/@lee"}, page=link)
    assert sent.status_code == 200 and "The moderators will look at your report." in text_of(sent.text)
    own = lee_web.get(f"/report/status/{status['id']}")
    assert own.status_code == 422, "nobody reports their own post"

    moderator = web_for(world, "mod")
    [report_id] = report_ids(moderator.get("/admin/reports").text)
    moderator.post(f"/admin/reports/{report_id}", {"outcome": "warn", "note": "Be civil, please."}, page="/admin/reports")
    page = lee_web.get("/").text
    assert "A warning from the moderators" in text_of(page) and "Be civil, please." in text_of(page)
    warning = re.search(r'action="(/warnings/\d+/acknowledge)"', page).group(1)
    lee_web.post(warning, {}, page="/")
    assert "Be civil, please." not in text_of(lee_web.get("/").text)
    assert "warned" in text_of(kim_web.get("/notifications").text)


def test_a_limited_member_reaches_only_followers(world):
    lee, kim, root = api_for(world, "lee"), api_for(world, "kim"), api_for(world, "root")
    kim.account_follow(lee.account_verify_credentials()["id"])
    status = lee.status_post("public words")
    lee_id = lee.account_verify_credentials()["id"]
    report = root.report(lee_id, status_ids=[status["id"]], category="violation")
    assert report["category"] == "violation"
    moderator = web_for(world, "mod")
    moderator.post(f"/admin/reports/{report['id']}", {"outcome": "limit"}, page="/admin/reports")
    assert kim.status(status["id"])["content"]
    assert kim.account(lee_id).get("limited") is True
    stranger = api_for(world, "mod")
    assert all(s["id"] != status["id"] for s in stranger.timeline_public())
    assert requests.get(f"{world.url}/api/v1/statuses/{status['id']}", headers={"Authorization": f"Bearer {stranger.access_token}"},
                        timeout=10).status_code == 404
    assert "Limited a member" in text_of(web_for(world, "root").get("/admin/audit").text)


def test_timed_suspension_from_the_command_line_ends_by_itself(world):
    lee = api_for(world, "lee")
    result = world.cli("user", "suspend", "lee", "--reason", "cool off", "--days", "2")
    assert result.returncode == 0 and "for 2 days" in result.stdout, result.stderr
    with pytest.raises(MastodonUnauthorizedError):
        lee.account_verify_credentials()
    assert world.cli("user", "suspend", "lee", "--reason", "x", "--days", "0").returncode == 2
    WebClient(world.url).login("lee", expect=403)
    sql(world, "UPDATE accounts SET suspended_until = 1 WHERE username = 'lee'")
    assert wait_for(lambda: "lee\tmember\tperson\tactive" in world.cli("user", "list").stdout)
    web_for(world, "lee")
    # A suspension without --days stays, and unsuspend lifts it.
    assert world.cli("user", "suspend", "lee", "--reason", "ban").returncode == 0
    time.sleep(2)
    assert "lee\tmember\tperson\tsuspended" in world.cli("user", "list").stdout
    assert world.cli("user", "unsuspend", "lee").returncode == 0
    web_for(world, "lee")


def test_an_expired_visitor_pass_suspends_until_an_admin_extends_it(world):
    result = world.cli("user", "add", "guest", "--kind", "visitor", "--expires", "5", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert world.cli("user", "add", "bad", "--expires", "0", stdin=PASSWORD + "\n").returncode == 2
    guest = web_for(world, "guest")
    admin = web_for(world, "root")
    members = admin.get("/admin/members").text
    assert 'id="expiring-guest"' in members
    sql(world, "UPDATE accounts SET expires_at = 1 WHERE username = 'guest'")
    assert wait_for(lambda: "guest\tmember\tvisitor\tsuspended" in world.cli("user", "list").stdout)
    assert guest.get("/notifications", allow_redirects=False).status_code in (302, 303)
    WebClient(world.url).login("guest", expect=403)
    page = admin.get("/admin/members").text
    assert "visitor pass expired" in page
    guest_id = re.search(r'action="/admin/members/(\d+)/expiry"', page[page.index('id="expiring-guest"'):]).group(1)
    admin.post(f"/admin/members/{guest_id}/expiry", {"days": "30"}, page="/admin/members")
    web_for(world, "guest")
    assert "account.expiry" in text_of(admin.get("/admin/audit?action=account.expiry").text) or \
        "Set a member's pass" in text_of(admin.get("/admin/audit").text)

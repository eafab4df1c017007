"""The web shell over HTTP against the running server: setup, sign-in, registration, sessions, admin,
security headers, CSRF, throttling, errors, languages, compression, caching, health and metrics."""
import gzip
import re
import time

import pytest
import requests

from conftest import PASSWORD, Server, free_port
from webclient import WebClient, text_of


@pytest.fixture
def admin(any_server):
    client = WebClient(any_server.url)
    client.setup_admin(any_server.setup_url)
    return client


def test_setup_link_works_once(any_server):
    client = WebClient(any_server.url)
    page = client.setup_admin(any_server.setup_url, username="founder")
    assert page.url.endswith("/admin")
    assert "founder" in page.text or "Administrator" in page.text
    again = WebClient(any_server.url).get(any_server.setup_url.replace(any_server.url, ""))
    assert again.status_code == 404
    stolen = WebClient(any_server.url)
    response = stolen.post(any_server.setup_url.replace(any_server.url, ""),
                           {"username": "evil", "display_name": "Evil", "password": PASSWORD, "password_confirm": PASSWORD},
                           page="/login")
    assert response.status_code in (403, 404)
    assert "evil" not in any_server.cli("user", "list").stdout


def test_invitation_registration_login_and_logout(any_server, admin):
    link = admin.create_invitation(uses=2)
    member = WebClient(any_server.url)
    page = member.register(link, "minjun", "김민준")
    assert page.status_code == 200 and "김민준" in page.text
    member.post("/logout", {}, page="/")
    assert member.get("/").url.endswith("/login")
    member.login("MinJun")
    assert "김민준" in member.get("/").text


def test_registration_errors_are_shown_in_the_form_and_change_nothing(any_server, admin):
    link = admin.create_invitation(uses=1)
    visitor = WebClient(any_server.url)
    code = link.rsplit("/", 1)[1]
    cases = [
        ({"username": "bad name", "display_name": "x", "password": PASSWORD, "password_confirm": PASSWORD}, "username"),
        ({"username": "ok", "display_name": "x", "password": "short", "password_confirm": "short"}, "10"),
        ({"username": "ok", "display_name": "x", "password": PASSWORD, "password_confirm": PASSWORD + "x"}, "match"),
        ({"username": "admin", "display_name": "x", "password": PASSWORD, "password_confirm": PASSWORD}, "taken"),
    ]
    for fields, needle in cases:
        response = visitor.post("/register", {"code": code, **fields}, page="/invite/" + code)
        assert response.status_code in (409, 422), response.status_code
        assert needle in text_of(response.text)
    # The single-use invitation was not used up by the failures.
    assert visitor.register(link, "finally", "Finally").status_code == 200


def test_invitation_mode_refuses_registration_without_a_link(any_server, admin):
    visitor = WebClient(any_server.url)
    assert visitor.get("/register").status_code == 403
    response = visitor.post("/register", {"username": "sneaky", "display_name": "S", "password": PASSWORD,
                                          "password_confirm": PASSWORD, "code": ""}, page="/login")
    assert response.status_code == 403
    assert "sneaky" not in any_server.cli("user", "list").stdout
    assert visitor.get("/invite/not-a-real-code").status_code == 404


def test_approval_mode_queue(any_server, admin):
    admin.post("/admin/registration", {"mode": "approval"}, page="/admin")
    visitor = WebClient(any_server.url)
    page = visitor.post("/register", {"username": "olga", "display_name": "Ольга", "password": PASSWORD,
                                      "password_confirm": PASSWORD, "note": "Студентка", "code": ""}, page="/register")
    assert page.status_code == 200
    visitor.login("olga", expect=403)
    queue = admin.get("/admin/approvals")
    assert "Ольга" in queue.text and "Студентка" in queue.text
    pending_id = re.search(r'action="/admin/approvals/(\d+)"', queue.text).group(1)
    admin.post(f"/admin/approvals/{pending_id}", {"decision": "approve"}, page="/admin/approvals")
    visitor.login("olga")


def test_open_mode(any_server, admin):
    admin.post("/admin/registration", {"mode": "open"}, page="/admin")
    visitor = WebClient(any_server.url)
    page = visitor.post("/register", {"username": "anyone", "display_name": "Anyone", "password": PASSWORD,
                                      "password_confirm": PASSWORD, "code": ""}, page="/register")
    assert page.status_code == 200 and page.url.endswith("/")


def test_wrong_password_and_throttling_that_survives_a_restart(data_dir):
    srv = Server(data_dir).start()
    try:
        WebClient(srv.url).setup_admin(srv.setup_url, username="boss")
        client = WebClient(srv.url)
        first = client.post("/login", {"username": "boss", "password": "wrong password!"})
        assert first.status_code == 401
        assert "wrong" in text_of(first.text)
        for _ in range(4):
            client.post("/login", {"username": "boss", "password": "wrong password!"})
        locked = client.post("/login", {"username": "boss", "password": PASSWORD})
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    finally:
        srv.stop()
    srv = Server(data_dir).start()
    try:
        assert WebClient(srv.url).post("/login", {"username": "boss", "password": PASSWORD}).status_code == 429
    finally:
        srv.stop()
    assert PASSWORD not in srv.stderr() and "wrong password!" not in srv.stderr()


def test_forms_without_a_valid_csrf_token_are_refused(any_server, admin):
    client = WebClient(any_server.url)
    no_token = client.session.post(any_server.url + "/login", data={"username": "admin", "password": PASSWORD})
    assert no_token.status_code == 403
    forged = client.session.post(any_server.url + "/login", data={"username": "admin", "password": PASSWORD, "_csrf": "forged"})
    assert forged.status_code == 403
    # A signed-in admin's form replayed without its token changes nothing.
    response = admin.session.post(any_server.url + "/admin/registration", data={"mode": "open"})
    assert response.status_code == 403
    assert "checked" in admin.get("/admin").text.split('value="invitation"')[1][:20]


def test_sessions_are_listed_and_revocable_and_password_change_ends_the_others(any_server, admin):
    laptop = WebClient(any_server.url, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
    phone = WebClient(any_server.url, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36")
    tablet = WebClient(any_server.url, user_agent="Mozilla/5.0 (iPad; CPU OS 17_0) Safari/604.1")
    for client in (laptop, phone, tablet):
        client.login("admin")
    page = laptop.get("/settings/sessions")
    assert "Firefox · Linux" in page.text and "Chrome · Android" in page.text and "127.0.0.1" in page.text
    phone_row = re.search(r'id="session-(\d+)"[^<]*<div class="row-main">\s*<strong>Chrome · Android', page.text)
    assert phone_row
    laptop.post(f"/settings/sessions/{phone_row.group(1)}/revoke", {}, page="/settings/sessions")
    assert phone.get("/settings").url.endswith("/login?next=/settings")
    changed = laptop.post("/settings/password", {"current_password": PASSWORD, "new_password": "a whole new password",
                                                  "new_password_confirm": "a whole new password"})
    assert changed.status_code == 200
    assert tablet.get("/settings").url.endswith("/login?next=/settings")
    assert laptop.get("/settings").status_code == 200
    WebClient(any_server.url).login("admin", "a whole new password")


def test_profile_language_and_escaping(any_server, admin):
    response = admin.post("/settings", {"display_name": '<script>alert("x")</script> Ким', "bio": "<b>hi</b>", "language": "ru"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "&lt;script&gt;" in response.text
    assert 'lang="ru"' in response.text
    assert "Настройки" in response.text or "Профиль" in response.text


def test_admin_pages_need_staff(any_server, admin):
    link = admin.create_invitation()
    member = WebClient(any_server.url)
    member.register(link, "plain", "Plain Member")
    for path in ["/admin", "/admin/members", "/admin/invitations", "/admin/approvals", "/admin/audit"]:
        assert member.get(path).status_code == 403, path
    # Posting to an admin action directly is refused by the core as well.
    members = admin.get("/admin/members").text
    plain_id = re.search(r'action="/admin/members/(\d+)/suspend"', members).group(1)
    forged = member.post(f"/admin/members/{plain_id}", {"role": "admin", "kind": "official"}, page="/settings")
    assert forged.status_code == 403
    assert "plain\tmember\tperson" in any_server.cli("user", "list").stdout


def test_admin_sets_role_kind_and_suspends(any_server, admin):
    link = admin.create_invitation()
    member = WebClient(any_server.url)
    member.register(link, "agency", "State News Agency")
    members = admin.get("/admin/members").text
    agency_id = re.search(r'id="member-agency".*?action="/admin/members/(\d+)"', members, re.S).group(1)
    admin.post(f"/admin/members/{agency_id}", {"role": "member", "kind": "official"}, page="/admin/members")
    assert "agency\tmember\tofficial" in any_server.cli("user", "list").stdout
    assert "badge-official" in member.get("/").text
    response = admin.post(f"/admin/members/{agency_id}/suspend", {"reason": "hacked account", "confirmed": "1"}, page="/admin/members")
    assert "hacked account" in response.text
    assert member.get("/").url.endswith("/login")
    audit = admin.get("/admin/audit").text
    assert "account.suspend" in audit and "account.kind" in audit


def test_error_pages_are_localised_and_never_show_internals(any_server):
    for language, needle in [("ru", "Страница не найдена"), ("ko", "페이지를 찾을 수 없"), ("en", "Page not found"),
                             ("ja", "ページが見つかりません"), ("zh", "页面不存在")]:
        page = WebClient(any_server.url, language=language).get("/no/such/page")
        assert page.status_code == 404
        assert needle in page.text, (language, text_of(page.text)[:300])
        assert "Swift" not in page.text and "Error" not in page.text


def test_every_page_carries_the_security_headers(any_server, admin):
    for path in ["/login", "/", "/settings", "/admin", "/no-such", "/healthz"]:
        response = admin.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    cookies = admin.session.cookies
    raw = requests.post(any_server.url + "/login", data={}, allow_redirects=False)
    page = requests.get(any_server.url + "/login")
    set_cookie = page.headers.get("Set-Cookie", "")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


def test_no_inline_script_or_style_in_pages(any_server, admin):
    for path in ["/login", "/", "/settings", "/settings/sessions", "/admin", "/admin/members", "/admin/invitations"]:
        page = admin.get(path).text
        assert "<script>" not in page and " style=" not in page and "<style" not in page, path


def test_login_page_weight_and_compression_and_asset_caching(any_server):
    client = WebClient(any_server.url)
    page = client.get("/login", headers={"Accept-Encoding": "identity"})
    total = len(page.content)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert assets
    for asset in set(assets):
        response = client.get(asset, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
        etag = response.headers["ETag"]
        assert client.get(asset, headers={"If-None-Match": etag}).status_code == 304
        total += len(response.content)
    # Uncompressed, page + every asset it names (the gzip goal, sign-in ≤ 10 KB on the wire, is Benchmarks/web/firstload.py).
    assert total < 44 * 1024, total
    raw = requests.get(any_server.url + "/login", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert raw.headers.get("Content-Encoding") == "gzip"
    body = gzip.decompress(raw.raw.read())
    assert b"<form" in body
    css = [a for a in assets if a.endswith(".css")][0]
    assert requests.get(any_server.url + css, headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") == "gzip"


def test_language_switch_for_visitors_and_members(any_server, admin):
    visitor = WebClient(any_server.url)
    switched = visitor.post("/language", {"lang": "ja", "return_to": "/login"}, page="/login")
    assert switched.url.endswith("/login") and 'lang="ja"' in switched.text and "ログイン" in switched.text
    admin.post("/language", {"lang": "ko", "return_to": "/settings"}, page="/settings")
    fresh = WebClient(any_server.url)
    fresh.login("admin")
    assert 'lang="ko"' in fresh.get("/").text  # saved on the account, so every device follows
    assert WebClient(any_server.url, language="ru").get("/login").text.count('lang="ru"') >= 1
    bad = visitor.post("/language", {"lang": "xx"}, page="/login")
    assert bad.status_code == 400


def test_built_parts_are_not_placeholders(any_server, admin):
    page = admin.get("/search")
    assert page.status_code == 200 and 'role="search"' in page.text and "not built yet" not in page.text
    mail = admin.get("/mail")  # built: the member's INBOX
    assert mail.status_code == 200 and "/mail/f/" in mail.url and "not built yet" not in mail.text


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_health_and_metrics(request, data_dir, engine):
    """/metrics is served on its own port (`--metrics-port`), not on the members' one."""
    database = request.getfixturevalue("pg_database") if engine == "postgres" else None
    metrics_port = free_port()
    srv = Server(data_dir, database=database, extra=["--metrics-port", str(metrics_port)]).start()
    try:
        assert requests.get(srv.url + "/healthz").text == "ok\n"
        admin = WebClient(srv.url)
        admin.setup_admin(srv.setup_url)
        admin.get("/settings")
        assert requests.get(srv.url + "/metrics").status_code == 404
        metrics = requests.get(f"http://127.0.0.1:{metrics_port}/metrics").text
        assert "starcon_uptime_seconds" in metrics
        assert "starcon_store_connections" in metrics
        assert re.search(r'hb_requests_total\{[^}]*http_route="/settings"', metrics) or re.search(r'hb_requests\{[^}]*/settings', metrics), metrics[:2000]
        assert "http_server_request_duration" in metrics and "_bucket" in metrics
    finally:
        srv.stop()


def test_one_log_line_per_request_with_an_id_and_no_secrets(any_server, admin):
    admin.get("/settings?token=supersecret")
    log = any_server.stderr()
    lines = [line for line in log.splitlines() if "path=/settings" in line]
    assert lines, log[-2000:]
    assert "hb.request.id=" in lines[-1] and "status=200" in lines[-1]
    assert "supersecret" not in log and PASSWORD not in log


def test_health_is_503_when_the_store_is_gone(data_dir):
    import os
    import subprocess
    import tempfile
    script = os.path.join(os.path.dirname(__file__), "../../scripts/postgres.sh")
    pg_dir = tempfile.mkdtemp(prefix="starcon-pg-health-")
    os.chmod(pg_dir, 0o755)
    from conftest import free_port
    url = subprocess.run([script, "start", pg_dir, str(free_port())], check=True, capture_output=True, text=True).stdout.strip()
    srv = Server(data_dir, database=url).start()
    try:
        assert requests.get(srv.url + "/healthz").status_code == 200
        subprocess.run([script, "stop", pg_dir], check=True)
        deadline = time.time() + 20
        status = None
        while time.time() < deadline:
            status = requests.get(srv.url + "/healthz", timeout=10).status_code
            if status == 503:
                break
            time.sleep(0.5)
        assert status == 503
        page = requests.get(srv.url + "/login", timeout=15)
        assert page.status_code == 500 and "Server error" in page.text
    finally:
        srv.stop()
        subprocess.run([script, "stop", pg_dir])
        subprocess.run(["rm", "-rf", pg_dir])

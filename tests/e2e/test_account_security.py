"""Protecting accounts through the real surfaces: app passwords with Python's imaplib, smtplib and nntplib (and the
main password refused once TOTP is on), the web sign-in's code step with pyotp, the OAuth authorize flow and
password grant with TOTP, and an admin's lock of a hacked account (its API token answers 401, its open IMAP
session ends, only the one-time reset link lets the owner back in)."""
import html
import imaplib
import re
import shutil
import smtplib
import subprocess
import time
import urllib.parse
import warnings

import pyotp
import pytest
import requests
from mastodon import Mastodon

from conftest import PASSWORD, Server
from test_imap import Idler
from webclient import WebClient, text_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import nntplib  # noqa: E402

OOB = "urn:ietf:wg:oauth:2.0:oob"


def port(server, flag):
    return int(server.extra[server.extra.index(flag) + 1])


@pytest.fixture(params=["sqlite", "postgres"])
def secure_server(request, data_dir):
    database = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    srv = Server(data_dir, database=database)
    for name, role in [("kim", "member"), ("lee", "member"), ("boss", "admin")]:
        result = srv.cli("user", "add", name, "--role", role, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    srv.start()
    yield srv
    srv.stop()


def wait_for_fresh_step():
    """Codes are 30-second steps: start where a few of them fit before the step changes under the test."""
    while 30 - time.time() % 30 < 6:
        time.sleep(0.5)


def read_qr_code(page_html, directory):
    """The TOTP page's SVG QR code drawn into a PNG and read back with zbarimg, as a phone's camera would."""
    from PIL import Image
    side = int(re.search(r'<div class="qr"><svg[^>]*viewBox="0 0 (\d+) ', page_html).group(1))
    path = re.search(r'<div class="qr">.*?<path fill="#000" d="([^"]+)"', page_html, re.S).group(1)
    scale = 6
    image = Image.new("L", (side * scale, side * scale), 255)
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", path):
        image.paste(0, (int(x) * scale, int(y) * scale, (int(x) + 1) * scale, (int(y) + 1) * scale))
    image.save(f"{directory}/qr.png")
    result = subprocess.run(["zbarimg", "-q", "--raw", f"{directory}/qr.png"], capture_output=True, text=True, timeout=30)
    return result.stdout.strip()


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools is not installed (scripts/install-deps.sh)")
def test_the_enrolment_qr_code_reads_as_the_otpauth_link(server, tmp_path):
    assert server.cli("user", "add", "kim", stdin=PASSWORD + "\n").returncode == 0
    web = WebClient(server.url)
    web.login("kim")
    web.post("/settings/security/totp/begin", {}, page="/settings/security")
    page = web.get("/settings/security").text
    uri = html.unescape(re.search(r'id="totp-uri">([^<]+)<', page).group(1))
    assert read_qr_code(page, tmp_path) == uri


def create_app_password(web, name):
    page = web.post("/settings/security/app-passwords", {"name": name}, page="/settings/security")
    assert page.status_code == 200, page.text[:300]
    match = re.search(r'id="new-app-password">.*?<code class="secret">([a-z ]{19})</code>', page.text, re.S)
    assert match, "the new app password is shown once"
    return match.group(1)


def enable_totp(web, at=None):
    web.post("/settings/security/totp/begin", {}, page="/settings/security")
    page = web.get("/settings/security")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    uri = html.unescape(re.search(r'id="totp-uri">([^<]+)<', page.text).group(1))
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    totp = pyotp.TOTP(secret)
    confirmed = web.post("/settings/security/totp/confirm", {"code": totp.at(at or time.time())}, page="/settings/security")
    assert confirmed.status_code == 200, confirmed.text[:300]
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", confirmed.text)
    assert len(codes) == 10, "ten recovery codes, shown once"
    return totp, codes


def test_app_passwords_on_every_protocol_and_totp_refuses_the_main_password(secure_server):
    srv = secure_server
    web = WebClient(srv.url)
    web.login("kim")
    app_password = create_app_password(web, "Thunderbird")
    assert app_password not in web.get("/settings/security").text, "shown once only"

    imap = imaplib.IMAP4("127.0.0.1", port(srv, "--imap-port"), timeout=10)
    assert imap.login("kim", app_password)[0] == "OK"
    imap.logout()
    mail = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=20)
    mail.ehlo("client.test")
    mail.login("kim", app_password.replace(" ", ""))
    mail.quit()
    news = nntplib.NNTP("127.0.0.1", port(srv, "--nntp-port"), user="kim", password=app_password, timeout=20)
    news.quit()
    listed = text_of(web.get("/settings/security").text)
    assert "Thunderbird" in listed and "never" not in listed.split("Thunderbird", 1)[1][:200], "last use is shown"

    wait_for_fresh_step()
    enable_totp(web)
    imap = imaplib.IMAP4("127.0.0.1", port(srv, "--imap-port"), timeout=10)
    with pytest.raises(imaplib.IMAP4.error, match="app password"):
        imap.login("kim", PASSWORD)
    mail = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=20)
    mail.ehlo("client.test")
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        mail.login("kim", PASSWORD)
    assert refused.value.smtp_code == 534 and b"app password" in refused.value.smtp_error
    with pytest.raises(nntplib.NNTPError, match="app password"):
        nntplib.NNTP("127.0.0.1", port(srv, "--nntp-port"), user="kim", password=PASSWORD, timeout=20)

    # The app password still works; revoking it ends the session open with it.
    session = Idler(srv, "kim", password=app_password)
    reader = nntplib.NNTP("127.0.0.1", port(srv, "--nntp-port"), user="kim", password=app_password, timeout=20)
    sender = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=20)
    sender.ehlo("client.test")
    sender.login("kim", app_password.replace(" ", ""))
    revoke = re.search(r'action="(/settings/security/app-passwords/\d+/revoke)"', web.get("/settings/security").text).group(1)
    other_password = create_app_password(web, "Phone")
    other_sender = smtplib.SMTP("127.0.0.1", srv.smtp_port, timeout=20)
    other_sender.ehlo("client.test")
    other_sender.login("kim", other_password.replace(" ", ""))
    assert web.post(revoke, {}, page="/settings/security").status_code == 200
    assert session.wait_for(b"* BYE", 5), "the revoked app password's IMAP session ends"
    time.sleep(0.5)
    with pytest.raises((nntplib.NNTPError, EOFError, OSError)):
        reader.list()  # the server said 400 and closed
    # SMTP follows the same rule: only the session signed in with the revoked app password ends.
    try:
        code = sender.noop()[0]  # reads the 421 the server sent when it closed
    except (smtplib.SMTPServerDisconnected, OSError):
        code = 421
    assert code == 421, "the revoked app password's SMTP session ends"
    assert other_sender.noop()[0] == 250, "a session signed in with another app password goes on"
    other_sender.quit()
    with pytest.raises(imaplib.IMAP4.error):
        imaplib.IMAP4("127.0.0.1", port(srv, "--imap-port"), timeout=10).login("kim", app_password)

    sign_ins = text_of(web.get("/settings/sessions").text)
    for surface in ["Mailbox (IMAP)", "Sending mail (SMTP)", "Newsgroups (NNTP)", "Web"]:
        assert surface in sign_ins, surface


def test_web_and_oauth_sign_in_ask_for_the_code(secure_server):
    srv = secure_server
    wait_for_fresh_step()
    now = time.time()
    owner = WebClient(srv.url)
    owner.login("lee")
    totp, recovery = enable_totp(owner, at=now - 30)

    web = WebClient(srv.url)
    asked = web.login("lee")
    assert 'action="/login/code"' in asked.text and 'autocomplete="one-time-code"' in asked.text
    assert web.get("/settings").url.endswith("/login?next=/settings") or "/login" in web.get("/settings").url
    challenge = re.search(r'name="challenge" value="([^"]+)"', asked.text).group(1)
    wrong = web.post("/login/code", {"challenge": challenge, "code": "000000"}, page="/login")
    assert wrong.status_code == 422 and 'action="/login/code"' in wrong.text
    code = totp.at(now)
    signed_in = web.post("/login/code", {"challenge": challenge, "code": code}, page="/login")
    assert signed_in.status_code == 200 and "/login" not in signed_in.url
    assert web.get("/settings/security").status_code == 200

    again = WebClient(srv.url)
    second = again.login("lee")
    challenge = re.search(r'name="challenge" value="([^"]+)"', second.text).group(1)
    replay = again.post("/login/code", {"challenge": challenge, "code": code}, page="/login")
    assert replay.status_code == 422 and "already used" in text_of(replay.text), "no code works twice"
    by_recovery = again.post("/login/code", {"challenge": challenge, "code": recovery[0]}, page="/login")
    assert by_recovery.status_code == 200 and "/login" not in by_recovery.url

    # The OAuth authorize page: password, then code, then the consent page.
    redirect = "http://127.0.0.1:9/callback"
    app = Mastodon.create_app("Starcon e2e", scopes=["read"], redirect_uris=redirect, api_base_url=srv.url)
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=srv.url, version_check_mode="none")
    path = api.auth_request_url(redirect_uris=redirect, scopes=["read"], state="s1").replace(srv.url, "")
    browser = WebClient(srv.url)
    login_page = browser.get(path)
    assert "/login" in login_page.url
    nxt = urllib.parse.parse_qs(urllib.parse.urlparse(login_page.url).query)["next"][0]
    step = browser.session.post(srv.url + "/login", data={"username": "lee", "password": PASSWORD, "next": nxt,
                                                          "_csrf": browser.csrf(login_page.url.replace(srv.url, ""))}, timeout=10)
    challenge = re.search(r'name="challenge" value="([^"]+)"', step.text).group(1)
    assert re.search(r'name="next" value="([^"]+)"', step.text).group(1) == html.escape(nxt).replace("&#x27;", "'")
    consent = browser.session.post(srv.url + "/login/code", data={
        "challenge": challenge, "code": totp.at(now + 30), "next": nxt, "_csrf": browser.csrf("/login")}, timeout=10)
    assert consent.status_code == 200 and "Starcon e2e" in consent.text and 'action="/oauth/authorize"' in consent.text
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', consent.text))
    approved = browser.session.post(srv.url + "/oauth/authorize", data=dict(fields, decision="approve"), allow_redirects=False, timeout=10)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(approved.headers["Location"]).query)
    api.log_in(code=query["code"][0], redirect_uri=redirect, scopes=["read"])
    assert api.account_verify_credentials()["username"] == "lee"

    # The password grant has no code step: a clear refusal.
    grant = requests.post(srv.url + "/oauth/token", data={"grant_type": "password", "username": "lee", "password": PASSWORD,
                                                          "client_id": app[0], "client_secret": app[1], "scope": "read"}, timeout=10)
    assert grant.status_code == 400 and grant.json()["error"] == "invalid_grant"
    assert "Two-factor" in grant.json()["error_description"]


def test_lock_revokes_the_token_ends_imap_and_only_the_reset_link_opens_the_account(secure_server):
    srv = secure_server
    app = Mastodon.create_app("Starcon e2e", scopes=["read"], redirect_uris=OOB, api_base_url=srv.url)
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=srv.url, version_check_mode="none")
    token = api.log_in("kim", PASSWORD, scopes=["read"])
    assert requests.get(srv.url + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}, timeout=10).ok
    session = Idler(srv, "kim")
    web = WebClient(srv.url)
    web.login("kim")
    assert "Starcon e2e" in web.get("/settings/sessions").text, "the member sees the app"

    admin = WebClient(srv.url)
    admin.login("boss")
    members = admin.get("/admin/members").text
    lock_path = re.search(r'id="member-kim".*?action="(/admin/members/\d+/lock)"', members, re.S).group(1)
    locked = admin.post(lock_path, {"reason": "phished"}, page="/admin/members")
    assert locked.status_code == 200
    link = html.unescape(re.search(r'id="reset-link">([^<]+)<', locked.text).group(1))
    assert "/reset/" in link

    assert session.wait_for(b"* BYE", 5), "the open IMAP session ends"
    answer = requests.get(srv.url + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 401
    assert "/login" in web.get("/settings").url, "the web session is gone"
    refused = WebClient(srv.url).login("kim", expect=403)
    assert "link" in text_of(refused.text)
    with pytest.raises(imaplib.IMAP4.error, match="locked"):
        imaplib.IMAP4("127.0.0.1", port(srv, "--imap-port"), timeout=10).login("kim", PASSWORD)

    owner = WebClient(srv.url)
    reset_path = link.replace(srv.url, "")
    mismatch = owner.post(reset_path, {"new_password": "a fresh password 1", "new_password_confirm": "other text 12"})
    assert mismatch.status_code == 422
    done = owner.post(reset_path, {"new_password": "a fresh password 1", "new_password_confirm": "a fresh password 1"})
    assert done.status_code == 200 and done.url.endswith("/login")
    assert owner.get(reset_path).status_code == 404, "the link works once"
    owner.login("kim", password="a fresh password 1")
    assert owner.get("/settings").status_code == 200

    # The same from the command line, and the audit log has it all.
    result = srv.cli("user", "lock", "lee", "--reason", "stolen laptop")
    assert result.returncode == 0, result.stderr
    assert re.search(r"http://\S+/reset/\S+", result.stdout)
    audit = text_of(admin.get("/admin/audit").text)
    assert "Locked a hacked account" in audit and "Reset a password by link" in audit

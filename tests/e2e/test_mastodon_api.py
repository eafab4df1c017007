"""The Mastodon client API's front door against the real binary, with the real Mastodon.py client: app
registration, the three OAuth grants, the consent page, token revocation, scopes, the signed-in account
and the instance. Errors are checked as Mastodon gives them: {"error": ...} with the right status."""
import re
import urllib.parse

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError, MastodonIllegalArgumentError, MastodonUnauthorizedError

from conftest import PASSWORD
from webclient import WebClient

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def api_server(any_server):
    for name, display in [("minjun", "김민준"), ("olga", "Ольга Петрова")]:
        result = any_server.cli("user", "add", name, "--display-name", display, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    return any_server


def register_app(base, scopes=("read", "write", "follow"), redirect_uris=OOB):
    return Mastodon.create_app("Starcon e2e", scopes=list(scopes), redirect_uris=redirect_uris, api_base_url=base)


def client_for(base, app, user="minjun", scopes=("read", "write", "follow")):
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=base, version_check_mode="none")
    api.log_in(user, PASSWORD, scopes=list(scopes))
    return api


def test_password_grant_and_verify_credentials(api_server):
    app = register_app(api_server.url)
    api = client_for(api_server.url, app)
    me = api.account_verify_credentials()
    assert me["username"] == "minjun" and me["acct"] == "minjun" and me["display_name"] == "김민준"
    assert me["source"]["privacy"] == "public" and me["avatar"].startswith(api_server.url)
    assert me["url"] == f"{api_server.url}/@minjun"


def test_instance_and_custom_emojis(api_server):
    api = Mastodon(api_base_url=api_server.url, version_check_mode="none")
    v1 = requests.get(api_server.url + "/api/v1/instance", timeout=10).json()
    assert v1["uri"] and v1["stats"]["user_count"] == 2 and v1["registrations"] is False
    assert v1["configuration"]["statuses"]["max_characters"] == 5000
    v2 = api.instance()
    assert v2["domain"] and "languages" in v2
    assert requests.get(api_server.url + "/api/v1/custom_emojis", timeout=10).json() == []


def test_app_registration_validates_its_input(api_server):
    url = api_server.url + "/api/v1/apps"
    missing = requests.post(url, data={"redirect_uris": OOB}, timeout=10)
    assert missing.status_code == 422 and "error" in missing.json()
    bad_uri = requests.post(url, data={"client_name": "x", "redirect_uris": "javascript:alert(1)"}, timeout=10)
    assert bad_uri.status_code == 422
    bad_scope = requests.post(url, data={"client_name": "x", "redirect_uris": OOB, "scopes": "read admin:everything"},
                              timeout=10)
    assert bad_scope.status_code == 422
    as_json = requests.post(url, json={"client_name": "JSON app", "redirect_uris": OOB, "scopes": "read"}, timeout=10)
    assert as_json.status_code == 200 and as_json.json()["client_secret"]
    garbage = requests.post(url, data=b"\xff\xfe{", headers={"Content-Type": "application/json"}, timeout=10)
    assert garbage.status_code in (400, 422) and "error" in garbage.json()


def test_wrong_password_and_unknown_client_are_oauth_errors(api_server):
    app = register_app(api_server.url)
    wrong = requests.post(api_server.url + "/oauth/token", data={
        "grant_type": "password", "client_id": app[0], "client_secret": app[1], "username": "minjun",
        "password": "wrong password", "scope": "read"}, timeout=10)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    unknown = requests.post(api_server.url + "/oauth/token", data={
        "grant_type": "password", "client_id": "nope", "client_secret": "nope", "username": "minjun",
        "password": PASSWORD}, timeout=10)
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    grant = requests.post(api_server.url + "/oauth/token", data={
        "grant_type": "implicit", "client_id": app[0], "client_secret": app[1]}, timeout=10)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    with pytest.raises(MastodonIllegalArgumentError):
        Mastodon(client_id=app[0], client_secret=app[1], api_base_url=api_server.url,
                 version_check_mode="none").log_in("minjun", "wrong password", scopes=["read"])


def test_a_scope_beyond_the_apps_is_refused(api_server):
    app = register_app(api_server.url, scopes=("read",))
    response = requests.post(api_server.url + "/oauth/token", data={
        "grant_type": "password", "client_id": app[0], "client_secret": app[1], "username": "minjun",
        "password": PASSWORD, "scope": "read write"}, timeout=10)
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def test_bearer_tokens_are_checked(api_server):
    url = api_server.url + "/api/v1/accounts/verify_credentials"
    for headers in [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic Zm9vOmJhcg=="}]:
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 401, headers
        assert response.json() == {"error": "The access token is invalid"}
    app = register_app(api_server.url)
    app_token = requests.post(api_server.url + "/oauth/token", data={
        "grant_type": "client_credentials", "client_id": app[0], "client_secret": app[1], "scope": "read"},
        timeout=10).json()["access_token"]
    no_user = requests.get(url, headers={"Authorization": f"Bearer {app_token}"}, timeout=10)
    assert no_user.status_code == 422 and "authenticated user" in no_user.json()["error"]
    write_only = client_for(api_server.url, register_app(api_server.url, scopes=("write",)), scopes=("write",))
    with pytest.raises(MastodonAPIError) as refused:
        write_only.account_verify_credentials()
    assert refused.value.args[1] == 403


def test_revoked_tokens_stop_working(api_server):
    app = register_app(api_server.url)
    api = client_for(api_server.url, app)
    assert api.account_verify_credentials()["username"] == "minjun"
    api.revoke_access_token()
    with pytest.raises(MastodonUnauthorizedError):
        api.account_verify_credentials()
    other_app = register_app(api_server.url)
    victim = client_for(api_server.url, app, user="olga")
    foreign = requests.post(api_server.url + "/oauth/revoke", data={
        "token": victim.access_token, "client_id": other_app[0], "client_secret": other_app[1]}, timeout=10)
    assert foreign.status_code == 403, "an app cannot revoke another app's token"
    assert victim.account_verify_credentials()["username"] == "olga"


def test_password_change_and_suspension_end_api_access(api_server):
    app = register_app(api_server.url)
    api = client_for(api_server.url, app, user="olga")
    result = api_server.cli("user", "suspend", "olga", "--reason", "e2e")
    assert result.returncode == 0, result.stderr
    with pytest.raises(MastodonUnauthorizedError):
        api.account_verify_credentials()
    refused = requests.post(api_server.url + "/oauth/token", data={
        "grant_type": "password", "client_id": app[0], "client_secret": app[1], "username": "olga",
        "password": PASSWORD, "scope": "read"}, timeout=10)
    assert refused.status_code in (400, 403) and refused.json()["error"]

    api = client_for(api_server.url, app, user="minjun")
    web = WebClient(api_server.url)
    web.login("minjun")
    changed = web.post("/settings/password", {"current_password": PASSWORD, "new_password": "a new long password 2",
                                              "new_password_confirm": "a new long password 2"}, page="/settings/password")
    assert changed.status_code == 200
    with pytest.raises(MastodonUnauthorizedError):
        api.account_verify_credentials()


def test_authorization_code_flow_through_the_consent_page(api_server):
    redirect = "http://127.0.0.1:9/callback"
    app = register_app(api_server.url, redirect_uris=redirect)
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=api_server.url, version_check_mode="none")
    authorize_url = api.auth_request_url(redirect_uris=redirect, scopes=["read", "write"], state="xyz")
    path = authorize_url.replace(api_server.url, "")

    web = WebClient(api_server.url)
    login_page = web.get(path)
    assert "/login" in login_page.url, "signing in comes first"
    web.login("minjun")
    consent = web.get(path)
    assert consent.status_code == 200 and "Starcon e2e" in consent.text
    assert 'name="_csrf"' in consent.text and "script" not in consent.text.lower().replace("noscript", "")
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', consent.text))
    fields["decision"] = "approve"
    response = web.session.post(api_server.url + "/oauth/authorize", data=fields, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:300]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(response.headers["Location"]).query)
    assert query["state"] == ["xyz"]
    token = api.log_in(code=query["code"][0], redirect_uri=redirect, scopes=["read", "write"])
    assert token and api.account_verify_credentials()["username"] == "minjun"
    again = requests.post(api_server.url + "/oauth/token", data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect,
        "client_id": app[0], "client_secret": app[1]}, timeout=10)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant", "a code works once"

    fields["_csrf"] = "forged"
    forged = web.session.post(api_server.url + "/oauth/authorize", data=fields, allow_redirects=False, timeout=10)
    assert forged.status_code == 403, "the consent form needs its CSRF token"
    denied_fields = dict(fields, decision="deny", _csrf=web.csrf(path))
    denied = web.session.post(api_server.url + "/oauth/authorize", data=denied_fields, allow_redirects=False,
                              timeout=10)
    assert "error=access_denied" in denied.headers["Location"]


def test_out_of_band_code_is_shown_on_a_page(api_server):
    app = register_app(api_server.url)
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=api_server.url, version_check_mode="none")
    path = api.auth_request_url(scopes=["read"]).replace(api_server.url, "")
    web = WebClient(api_server.url, language="ko")
    web.login("minjun")
    consent = web.get(path)
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', consent.text))
    page = web.session.post(api_server.url + "/oauth/authorize", data=dict(fields, decision="approve"), timeout=10)
    assert page.status_code == 200 and 'lang="ko"' in page.text
    code = re.search(r'class="link-field" readonly value="([^"]+)"', page.text).group(1)
    api.log_in(code=code, scopes=["read"])
    assert api.account_verify_credentials()["username"] == "minjun"


def test_redirect_uri_must_be_registered(api_server):
    app = register_app(api_server.url, redirect_uris="http://127.0.0.1:9/callback")
    web = WebClient(api_server.url)
    web.login("minjun")
    response = web.get("/oauth/authorize?" + urllib.parse.urlencode({
        "client_id": app[0], "redirect_uri": "http://evil.example/steal", "response_type": "code", "scope": "read"}))
    assert response.status_code in (400, 422) and "evil.example" not in response.headers.get("Location", "")

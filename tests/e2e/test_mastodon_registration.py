"""Registration from an app (`POST /api/v1/accounts` with the app's client_credentials token), by the
instance's registration mode as on the web form, on both engines."""
import requests
from mastodon import Mastodon

from conftest import PASSWORD
from webclient import WebClient


def app_token(url):
    client_id, secret = Mastodon.create_app("signup e2e", scopes=["read", "write", "follow"], api_base_url=url)
    token = requests.post(url + "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                                                      "scope": "read write follow"}, timeout=10).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def signup(url, headers, username, **extra):
    data = {"username": username, "email": f"{username}@example.org", "password": PASSWORD, "agreement": "true", "locale": "ko"}
    data.update(extra)
    return requests.post(url + "/api/v1/accounts", data=data, headers=headers, timeout=30)


def test_registration_follows_the_instance_mode(any_server):
    url = any_server.url
    assert any_server.cli("user", "add", "boss", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    headers = app_token(url)
    closed = signup(url, headers, "sneaky")
    assert closed.status_code == 422 and "error" in closed.json()
    assert "sneaky" not in any_server.cli("user", "list").stdout
    invite = any_server.cli("invite", "create", "--uses", "1").stdout.strip().rsplit("/", 1)[-1]
    invited = signup(url, headers, "invited", invite_code=invite)
    assert invited.status_code == 200, invited.text
    token = invited.json()
    assert token["token_type"] == "Bearer" and token["access_token"] and "created_at" in token
    me = requests.get(url + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)
    assert me.status_code == 200 and me.json()["username"] == "invited"
    assert signup(url, headers, "nope", agreement="false").status_code == 422
    assert requests.post(url + "/api/v1/accounts", data={"username": "x", "password": PASSWORD, "agreement": "true"}, timeout=10).status_code == 401
    admin = WebClient(url)
    admin.login("boss")
    admin.post("/admin/registration", {"mode": "approval"}, page="/admin")
    pending = signup(url, headers, "waiting", reason="학생입니다")
    assert pending.status_code == 200
    waiting = requests.get(url + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {pending.json()['access_token']}"}, timeout=10)
    assert waiting.status_code == 401, "the token works once an admin approves"
    admin.post("/admin/registration", {"mode": "open"}, page="/admin")
    opened = signup(url, headers, "welcome")
    assert opened.status_code == 200
    assert requests.get(url + "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {opened.json()['access_token']}"},
                        timeout=10).json()["username"] == "welcome"
    taken = signup(url, headers, "welcome")
    assert taken.status_code == 422

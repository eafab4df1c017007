"""Findings of the attack on the web and the Mastodon API, each against the running binary on both engines:
tokens stay revoked after a suspension is lifted, another member's invisible status is as absent as a
nonexistent one, a repeated media id is taken once, sign-in follows only local paths, and app
registration is bounded and rate-limited."""
import io
import struct
import zlib

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError, MastodonUnauthorizedError

from conftest import PASSWORD
from webclient import WebClient

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def site(any_server):
    """An admin signed in on the web, and minjun and olga on the API."""
    admin = WebClient(any_server.url)
    admin.setup_admin(any_server.setup_url)
    for name in ["minjun", "olga"]:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    cid, secret = Mastodon.create_app("security e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {"admin": admin, "url": any_server.url, "app": (cid, secret)}
    for name in ["minjun", "olga"]:
        api = Mastodon(client_id=cid, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    return clients


def test_tokens_stay_revoked_after_a_suspension_is_lifted(site):
    olga, admin = site["olga"], site["admin"]
    olga_id = olga.account_verify_credentials()["id"]
    assert admin.post(f"/admin/members/{olga_id}/suspend", {"reason": "e2e", "confirmed": "1"}, page="/admin/members").status_code == 200
    assert admin.post(f"/admin/members/{olga_id}/unsuspend", {"reason": ""}, page="/admin/members").status_code == 200
    with pytest.raises(MastodonUnauthorizedError):
        olga.account_verify_credentials()
    again = Mastodon(client_id=site["app"][0], client_secret=site["app"][1], api_base_url=site["url"], version_check_mode="none")
    again.log_in("olga", PASSWORD, scopes=["read"])
    assert again.account_verify_credentials()["username"] == "olga", "signing in again works"


def test_changing_a_status_one_cannot_see_is_not_found(site):
    minjun, olga = site["minjun"], site["olga"]
    hidden = minjun.status_post("only for my followers", visibility="private")
    public = minjun.status_post("for everyone")
    missing = str(int(public["id"]) + 1000)
    for status_id in [hidden["id"], missing]:
        with pytest.raises(MastodonNotFoundError):
            olga.status_update(status_id, "hijack")
        with pytest.raises(MastodonNotFoundError):
            olga.status_delete(status_id)
    with pytest.raises(MastodonAPIError) as refused:
        olga.status_update(public["id"], "hijack")
    assert refused.value.args[1] == 403, "a status one can see is still forbidden, not hidden"
    assert "only for my followers" in minjun.status(hidden["id"])["content"], "and it is unchanged"


def png():
    """A 2×2 PNG made here (no fixture file)."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_the_same_media_id_twice_is_attached_once(site):
    minjun = site["minjun"]
    media = minjun.media_post(io.BytesIO(png()), mime_type="image/png", file_name="dot.png")
    response = requests.post(site["url"] + "/api/v1/statuses", data={"status": "one photo", "media_ids[]": [media["id"], media["id"]]},
                             headers={"Authorization": f"Bearer {minjun.access_token}"}, timeout=30)
    assert response.status_code == 200, response.text
    assert [m["id"] for m in response.json()["media_attachments"]] == [media["id"]]


@pytest.mark.parametrize("target", ["/\t/evil.example/", "//evil.example/", "/\\evil.example/", "/\n/evil.example/",
                                    " /evil.example", "/\u00a0/evil.example", "https://evil.example/"])
def test_sign_in_follows_only_local_paths(any_server, target):
    assert any_server.cli("user", "add", "minjun", stdin=PASSWORD + "\n").returncode == 0
    client = WebClient(any_server.url)
    page = client.get("/login", params={"next": target})
    assert "evil.example" not in page.text
    answer = client.post("/login", {"username": "minjun", "password": PASSWORD, "next": target}, allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["Location"] == "/", answer.headers.get("Location")


def test_sign_in_still_returns_to_a_local_page(any_server):
    assert any_server.cli("user", "add", "minjun", stdin=PASSWORD + "\n").returncode == 0
    client = WebClient(any_server.url)
    answer = client.post("/login", {"username": "minjun", "password": PASSWORD, "next": "/settings?tab=1"}, allow_redirects=False)
    assert answer.headers["Location"] == "/settings?tab=1"


def test_app_registration_is_bounded_and_rate_limited(any_server):
    url = any_server.url + "/api/v1/apps"

    def register(**fields):
        return requests.post(url, data={"client_name": "app", "redirect_uris": OOB, "scopes": "read", **fields}, timeout=10)
    # The attack: 100 redirect URIs of 1.8 KB each. Its 180 KB body is over the API's 64 KB limit for a request
    # without files, so it is refused before it is read; smaller breaches of the app limits get 422.
    flood = "\n".join(f"https://app.example/{i}/" + "x" * 1800 for i in range(100))
    refused = register(redirect_uris=flood)
    assert refused.status_code == 413 and refused.json()["error"], refused.text
    for fields in [{"redirect_uris": "\n".join(f"https://app.example/{i}/" + "x" * 400 for i in range(10))},
                   {"redirect_uris": "\n".join(f"https://app.example/{i}" for i in range(11))},
                   {"redirect_uris": "https://app.example/" + "x" * 500},
                   {"website": "https://app.example/" + "w" * 500},
                   {"client_name": "n" * 201}]:
        refused = register(**fields)
        assert refused.status_code == 422 and refused.json()["error"].startswith("Validation failed"), refused.text
    ten = "\n".join(f"https://app.example/cb{i}" for i in range(10))
    assert register(redirect_uris=ten).json()["redirect_uris"] == ten.split("\n")
    answers = [register() for _ in range(25)]
    accepted = [answer for answer in answers if answer.status_code == 200]
    assert len(accepted) == 19, "20 registrations an hour from one address (one was made above)"
    throttled = answers[len(accepted):]
    assert all(answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0 and answer.json()["error"]
               for answer in throttled)

"""Photos leave with what showed them, on both engines: the photo of a deleted direct status or message (or
of a conversation everyone left) answers 404 and its files are gone from DATA/media, while files another
upload of the same bytes still names stay; and only a public status's photo may be kept by shared caches."""
import glob
import io
import os
import re

import pytest
import requests
from PIL import Image

from conftest import PASSWORD

MEMBERS = ["minjun", "olga", "yuki"]


class Member:
    def __init__(self, base, token):
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}

    def request(self, method, path, expect=200, **kwargs):
        response = requests.request(method, self.base + path, headers=self.headers, timeout=30, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.text[:300])
        return response.json()

    def upload(self, data):
        return self.request("POST", "/api/v2/media", files={"file": ("photo.jpg", data, "image/jpeg")})

    def post(self, text, visibility, media):
        return self.request("POST", "/api/v1/statuses", data={"status": text, "visibility": visibility, "media_ids[]": [m["id"] for m in media]})


def photo(seed):
    """A small JPEG of its own (its own digest): no other test's upload shares its files."""
    image = Image.new("RGB", (48, 32), (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256))
    image.paste((255 - seed % 256, 10, 200), (24, 0, 48, 32))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def digest(media):
    return re.search(r"/media/([0-9a-f]{64})-", media["preview_url"]).group(1)


def files_of(server, media):
    name = digest(media)
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(server.data, "media", name[:2], name + "-*")))


def fetch(media):
    """Every served version: the small preview and the large view (the original has the same name pattern)."""
    return [requests.get(media[key], timeout=10) for key in ("preview_url", "url")]


@pytest.fixture
def members(any_server):
    for name in MEMBERS:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    app = requests.post(any_server.url + "/api/v1/apps", data={"client_name": "media lifecycle", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                               "scopes": "read write"}, timeout=10).json()
    found = {}
    for name in MEMBERS:
        token = requests.post(any_server.url + "/oauth/token", data={
            "grant_type": "password", "username": name, "password": PASSWORD, "client_id": app["client_id"],
            "client_secret": app["client_secret"], "scope": "read write"}, timeout=30).json()["access_token"]
        found[name] = Member(any_server.url, token)
    return found


def test_a_deleted_direct_status_takes_its_photo_files_with_it(members, any_server):
    minjun = members["minjun"]
    secret = minjun.upload(photo(1))
    status = minjun.post("@olga only for you", "direct", [secret])
    assert len(files_of(any_server, secret)) == 3, "original, large and small"
    served = fetch(secret)
    assert all(r.status_code == 200 for r in served)
    minjun.request("DELETE", f"/api/v1/statuses/{status['id']}")
    for url in (secret["preview_url"], secret["url"]):
        assert requests.get(url, timeout=10).status_code == 404
        assert requests.get(url, headers={"If-None-Match": served[0].headers["ETag"]}, timeout=10).status_code == 404
    assert files_of(any_server, secret) == [], "every version is gone from DATA/media"


def test_files_another_upload_of_the_same_bytes_names_stay(members, any_server):
    minjun, olga = members["minjun"], members["olga"]
    same = photo(2)
    private, public = minjun.upload(same), olga.upload(same)
    assert digest(private) == digest(public), "content-addressed: one set of files"
    hidden = minjun.post("@yuki just us", "direct", [private])
    olga.post("everyone may see this", "public", [public])
    minjun.request("DELETE", f"/api/v1/statuses/{hidden['id']}")
    assert len(files_of(any_server, public)) == 3 and all(r.status_code == 200 for r in fetch(public))


def test_a_deleted_message_and_a_left_conversation_take_their_pictures_with_them(members, any_server):
    minjun, olga = members["minjun"], members["olga"]
    messenger = "/api/starcon/v1"
    cid = minjun.request("POST", messenger + "/conversations", json={"members": ["olga"]})["id"]
    picture = minjun.upload(photo(3))
    sent = minjun.request("POST", f"{messenger}/conversations/{cid}/messages", json={"text": "", "media_ids": [picture["id"]]})
    assert all(r.status_code == 200 for r in fetch(picture))
    minjun.request("DELETE", f"{messenger}/messages/{sent['id']}")
    assert [r.status_code for r in fetch(picture)] == [404, 404]
    assert files_of(any_server, picture) == []
    # A conversation is deleted with its messages when its last member leaves; their pictures go too.
    group = minjun.request("POST", messenger + "/conversations", json={"members": ["olga", "yuki"], "title": "사진", "group": True})["id"]
    shared = olga.upload(photo(4))
    olga.request("POST", f"{messenger}/conversations/{group}/messages", json={"text": "봐", "media_ids": [shared["id"]]})
    for member in (minjun, olga):
        member.request("POST", f"{messenger}/conversations/{group}/leave")
    assert all(r.status_code == 200 for r in fetch(shared)), "yuki is still there"
    members["yuki"].request("POST", f"{messenger}/conversations/{group}/leave")
    assert [r.status_code for r in fetch(shared)] == [404, 404]
    assert files_of(any_server, shared) == []


def test_only_a_public_status_photo_may_be_kept_by_shared_caches(members):
    minjun = members["minjun"]
    expected = {"public": "public", "unlisted": "public", "private": "private", "direct": "private"}
    for seed, (visibility, cache) in enumerate(expected.items(), start=10):
        media = minjun.upload(photo(seed))
        minjun.post(f"@olga {visibility}", visibility, [media])
        for response in fetch(media):
            assert response.status_code == 200
            assert response.headers["Cache-Control"].split(",")[0] == cache, (visibility, response.headers["Cache-Control"])
            again = requests.get(response.url, headers={"If-None-Match": response.headers["ETag"]}, timeout=10)
            assert again.status_code == 304 and again.headers["Cache-Control"] == response.headers["Cache-Control"]
    unattached = minjun.upload(photo(20))
    assert all(r.headers["Cache-Control"].startswith("private") for r in fetch(unattached)), "not shown anywhere yet"
    cid = minjun.request("POST", "/api/starcon/v1/conversations", json={"members": ["olga"]})["id"]
    picture = minjun.upload(photo(21))
    minjun.request("POST", f"/api/starcon/v1/conversations/{cid}/messages", json={"text": "사진", "media_ids": [picture["id"]]})
    assert all(r.headers["Cache-Control"].startswith("private") for r in fetch(picture)), "a message picture"

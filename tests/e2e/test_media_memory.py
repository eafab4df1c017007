"""What an upload may cost the server in memory, read from /proc (never timed): sixteen 2 KB JPEGs that each
claim 5,760 × 5,760 pixels, posted at once, are all refused before any decoding and leave the server's
peak resident size near where it was idle (they used to take it from ~50 MB to ~1.9 GB); and a large photo
that is decoded hands its memory back afterwards."""
import io
import time
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image

from conftest import PASSWORD


def memory(server):
    """The server's resident size now and its peak since it started, in kB."""
    with open(f"/proc/{server.process.pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def jpeg(width, height):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 200)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def uploader(any_server):
    assert any_server.cli("user", "add", "minjun", stdin=PASSWORD + "\n").returncode == 0
    app = requests.post(any_server.url + "/api/v1/apps", data={"client_name": "memory", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                               "scopes": "read write"}, timeout=10).json()
    token = requests.post(any_server.url + "/oauth/token", data={
        "grant_type": "password", "username": "minjun", "password": PASSWORD, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read write"}, timeout=30).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def upload(data):
        return requests.post(any_server.url + "/api/v2/media", headers=headers, files={"file": ("photo.jpg", data, "image/jpeg")}, timeout=120)
    # One real upload first, so libvips and the upload path are warm in the idle figure.
    assert upload(jpeg(64, 48)).status_code == 200
    return upload


def test_sixteen_truncated_bombs_at_once_are_refused_without_the_memory_they_claim(uploader, any_server):
    bomb = jpeg(5760, 5760)[:2000]
    assert len(bomb) == 2000
    idle_rss, idle_peak = memory(any_server)
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: uploader(bomb), range(16)))
    rss, peak = memory(any_server)
    print(f"idle RSS {idle_rss} kB (peak {idle_peak} kB); after 16 bombs RSS {rss} kB, peak {peak} kB")
    assert [a.status_code for a in answers] == [422] * 16, [a.text[:200] for a in answers]
    assert all(a.json()["error"] == "Validation failed: File could not be read as an image" for a in answers)
    # One decode of the claimed picture alone is 100 MB of pixels; nothing near that may be spent.
    assert peak <= max(idle_peak, idle_rss * 1.5), (idle_rss, idle_peak, peak)


def test_large_photos_hand_their_memory_back_once_decoded(uploader, any_server):
    idle_rss, _ = memory(any_server)
    photos = []
    for shade in range(4):
        buffer = io.BytesIO()
        # 25 megapixels of PNG each: decoded in full (75 MB of pixels, and copies while re-encoding).
        Image.linear_gradient("L").resize((5000, 5000)).point(lambda v, s=shade: (v + s) % 256).convert("RGB").save(buffer, "PNG")
        photos.append(buffer.getvalue())
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(uploader, photos))
    assert [a.status_code for a in answers] == [200] * 4, [a.text[:200] for a in answers]
    # The last decode's memory is trimmed as its pool thread finishes, which on a busy machine (tests in
    # parallel workers) can come a moment after the answers: wait for it, within a generous bound.
    deadline = time.time() + 15
    rss, peak = memory(any_server)
    while rss > idle_rss * 1.5 and time.time() < deadline:
        time.sleep(0.2)
        rss, peak = memory(any_server)
    print(f"idle RSS {idle_rss} kB; after four 25 Mpx PNGs at once RSS {rss} kB, peak {peak} kB")
    assert peak > idle_rss * 2, "the decode did take memory"
    assert rss <= idle_rss * 1.5, (idle_rss, rss, peak)

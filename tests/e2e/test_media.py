"""Photos through their real surfaces on both engines: Mastodon.py uploads with alt text, posting with
media_ids, the files served (oriented, with no EXIF or GPS left, cached for a year), the web composer's
multipart form, and every refusal: not an image, a decompression bomb, a stranger's photo, five photos."""
import io
from pathlib import Path

import pytest
import requests
from mastodon import Mastodon, MastodonAPIError
from PIL import Image

from conftest import PASSWORD
from webclient import WebClient

FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def huge_png(side=30_000):
    """A 30,000 × 30,000 grayscale PNG (900 megapixels) that is under a megabyte on the wire."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


@pytest.fixture
def photographers(any_server):
    for name in ["minjun", "olga"]:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    cid, secret = Mastodon.create_app("media e2e", scopes=["read", "write"], api_base_url=any_server.url)
    clients = {}
    for name in ["minjun", "olga"]:
        api = Mastodon(client_id=cid, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write"])
        clients[name] = api
    return clients


def test_upload_post_and_fetch_clean_oriented_photos(photographers):
    minjun = photographers["minjun"]
    media = minjun.media_post(io.BytesIO(fixture("oriented.jpg")), mime_type="image/jpeg", file_name="gps.jpg",
                              description="빨강과 파랑")
    assert media["type"] == "image" and media["description"] == "빨강과 파랑" and len(media["blurhash"]) == 28
    assert media["meta"]["original"]["width"] == 40 and media["meta"]["original"]["height"] == 60, "EXIF orientation applied"
    status = minjun.status_post("사진 #사진", media_ids=[media["id"]])
    assert [m["id"] for m in status["media_attachments"]] == [media["id"]]
    for url in [media["url"], media["preview_url"]]:
        response = requests.get(url, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg"
        assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
        assert b"Exif" not in response.content and b"SpyCam" not in response.content
        image = Image.open(io.BytesIO(response.content))
        assert image.size == (40, 60) and not image.getexif(), "no metadata block survives"
        again = requests.get(url, headers={"If-None-Match": response.headers["ETag"]}, timeout=10)
        assert again.status_code == 304
    seen = photographers["olga"].status(status["id"])
    assert seen["media_attachments"][0]["preview_url"] == media["preview_url"]
    updated = minjun.media_update(media["id"], description="Red and blue")
    assert updated["description"] == "Red and blue"


def test_png_gif_and_webp_are_accepted_and_text_chunks_stripped(photographers):
    minjun = photographers["minjun"]
    ids = []
    for name, mime in [("alpha.png", "image/png"), ("anim.gif", "image/gif"), ("photo.webp", "image/webp")]:
        media = minjun.media_post(io.BytesIO(fixture(name)), mime_type=mime, file_name=name)
        ids.append(media["id"])
        body = requests.get(media["url"], timeout=10).content
        assert b"secret location" not in body
    status = minjun.status_post("", media_ids=ids)
    assert len(status["media_attachments"]) == 3, "a post may be photos only"


def test_bad_photos_are_refused_and_change_nothing(photographers, any_server):
    minjun, olga = photographers["minjun"], photographers["olga"]
    url = any_server.url + "/api/v2/media"
    auth = {"Authorization": f"Bearer {minjun.access_token}"}
    for name, body, mime in [("notes.jpg", fixture("notes.txt"), "image/jpeg"), ("bomb.png", fixture("bomb.png"), "image/png"),
                             ("30k.png", huge_png(), "image/png"),
                             ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
                             ("half.jpg", fixture("oriented.jpg")[:300], "image/jpeg"), ("empty.png", b"", "image/png")]:
        response = requests.post(url, files={"file": (name, body, mime)}, headers=auth, timeout=30)
        assert response.status_code == 422, (name, response.text)
        assert set(response.json()) == {"error"}
    assert requests.post(url, data={"description": "no file"}, headers=auth, timeout=10).status_code == 422
    garbage = requests.post(url, data=b"--x\r\nnot multipart", headers=dict(auth, **{"Content-Type": "multipart/form-data; boundary=x"}),
                            timeout=10)
    assert garbage.status_code in (400, 422)
    theirs = olga.media_post(io.BytesIO(fixture("photo.webp")), mime_type="image/webp")
    with pytest.raises(MastodonAPIError) as refused:
        minjun.status_post("not mine", media_ids=[theirs["id"]])
    assert refused.value.args[1] == 422
    five = [minjun.media_post(io.BytesIO(fixture("photo.webp")), mime_type="image/webp")["id"] for _ in range(5)]
    with pytest.raises(MastodonAPIError):
        minjun.status_post("too many", media_ids=five)
    used = minjun.status_post("four", media_ids=five[:4])
    with pytest.raises(MastodonAPIError):
        olga.status_post("steal", media_ids=[five[0]])
    assert len(used["media_attachments"]) == 4
    assert requests.get(any_server.url + "/media/../../etc/passwd", timeout=10).status_code == 404
    assert requests.get(any_server.url + "/media/" + "a" * 64 + "-small.jpg", timeout=10).status_code == 404
    assert [s["content"] for s in minjun.timeline_public()] == ["<p>four</p>"]


def test_web_composer_uploads_photos_with_alt_text(photographers, any_server):
    web = WebClient(any_server.url)
    web.login("minjun")
    token = web.csrf("/")
    response = web.session.post(any_server.url + "/statuses", data={
        "_csrf": token, "text": "사진 두 장", "visibility": "public", "return_to": "/", "alt1": "빨강 파랑", "alt2": "초록"},
        files={"photo1": ("a.jpg", fixture("oriented.jpg"), "image/jpeg"), "photo2": ("b.png", fixture("alpha.png"), "image/png"),
               "photo3": ("", b"", "application/octet-stream")}, timeout=30)
    assert response.status_code == 200 and "사진 두 장" in response.text
    assert 'alt="빨강 파랑"' in response.text and 'alt="초록"' in response.text
    refused = web.session.post(any_server.url + "/statuses", data={"_csrf": web.csrf("/"), "text": "bad", "visibility": "public"},
                               files={"photo1": ("a.jpg", fixture("notes.txt"), "image/jpeg")}, timeout=30)
    assert refused.status_code == 422 and "Only JPEG, PNG, WebP and GIF" in refused.text
    forged = web.session.post(any_server.url + "/statuses", data={"_csrf": "forged", "text": "x"},
                              files={"photo1": ("a.jpg", fixture("oriented.jpg"), "image/jpeg")}, timeout=30)
    assert forged.status_code == 403


def quadrant_photo(orientation, progressive=False):
    """A 2000 × 1400 photo of four coloured quadrants, stored as a camera would for `orientation` (None: no tag),
    with GPS, a camera name, XMP and a comment."""
    from PIL import ImageOps
    shown = Image.new("RGB", (2000, 1400), (220, 30, 30))
    shown.paste((30, 30, 220), (1000, 0, 2000, 700))
    shown.paste((30, 200, 30), (0, 700, 1000, 1400))
    shown.paste((240, 220, 20), (1000, 700, 2000, 1400))
    # Store the pixels so that applying the tag shows `shown`: the inverse of each orientation's transform.
    stored = {None: shown, 3: shown.rotate(180), 6: shown.rotate(90, expand=True), 8: shown.rotate(-90, expand=True)}[orientation]
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 40.0)}
    out = io.BytesIO()
    stored.save(out, "JPEG", exif=exif.tobytes(), xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SecretCity</x:xmpmeta>',
                comment=b"SecretComment", quality=90, progressive=progressive)
    data = out.getvalue()
    assert ImageOps.exif_transpose(Image.open(io.BytesIO(data))).size == (2000, 1400)
    return data


@pytest.mark.parametrize("orientation", [None, 3, 6, 8])
def test_every_served_version_is_upright_and_has_no_metadata(photographers, orientation):
    minjun = photographers["minjun"]
    source = quadrant_photo(orientation, progressive=orientation is None)
    media = minjun.media_post(io.BytesIO(source), mime_type="image/jpeg", file_name="camera.jpg")
    assert media["meta"]["original"]["width"] == 1600 and media["meta"]["original"]["height"] == 1120
    assert media["meta"]["small"]["width"] == 640 and media["meta"]["small"]["height"] == 448
    original_url = media["url"].replace("-large.jpg", "-original.jpg")
    for url, size in [(original_url, (2000, 1400)), (media["url"], (1600, 1120)), (media["preview_url"], (640, 448))]:
        response = requests.get(url, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/jpeg", url
        body = response.content
        for secret in [b"Exif", b"SpyCam", b"SecretCity", b"xmpmeta", b"SecretComment"]:
            assert secret not in body, (url, secret)
        image = Image.open(io.BytesIO(body))
        assert not image.getexif() and not {"exif", "xmp", "comment", "icc_profile"} & set(image.info), (url, image.info.keys())
        assert image.size == size, url
        w, h = size
        for (x, y), colour in [((w // 4, h // 4), (220, 30, 30)), ((3 * w // 4, h // 4), (30, 30, 220)),
                               ((w // 4, 3 * h // 4), (30, 200, 30)), ((3 * w // 4, 3 * h // 4), (240, 220, 20))]:
            pixel = image.convert("RGB").getpixel((x, y))
            assert all(abs(a - b) < 24 for a, b in zip(pixel, colour)), (url, (x, y), pixel, colour)
        if url == original_url and orientation is None:
            assert image.tobytes() == Image.open(io.BytesIO(source)).tobytes(), "an upright JPEG's original keeps its pixels exactly"


def linear_rgb_profile():
    """An ICC v2 display profile with sRGB's primaries and a straight line for a tone curve (gamma 1.0): the same
    numbers mean much brighter colours than in sRGB (linear 50 is sRGB 122), so a photo tagged with it shows
    whether the server converted its pixels or only dropped the profile."""
    import struct

    def s15(value):
        return struct.pack(">i", round(value * 65536))

    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)
    text = b"Linear RGB test profile\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 4 + b"\0" * 4 + b"\0" * 3 + b"\0" * 67
    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", 0x0100) + b"\0\0"
    tags = [(b"desc", desc), (b"cprt", b"text" + b"\0" * 4 + b"no copyright\0"), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)), (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (struct.pack(">I", size) + b"\0" * 4 + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ " + bytes([7, 234, 0, 12, 0, 2] + [0] * 6)
              + b"acsp" + b"\0" * 24 + b"\0" * 4 + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_photo_in_another_colour_space_is_served_converted_to_srgb(photographers, kind):
    """Phones tag their photos with a colour profile (Display P3); every served version is stripped of it, so its
    pixels must be converted to sRGB first, or the photo shows with wrong colours."""
    linear = Image.new("RGB", (800, 600), (50, 50, 50))
    linear.paste((200, 20, 20), (400, 0, 800, 600))
    out = io.BytesIO()
    linear.save(out, kind, icc_profile=linear_rgb_profile(), **({"quality": 95} if kind == "JPEG" else {}))
    media = photographers["minjun"].media_post(io.BytesIO(out.getvalue()), mime_type=f"image/{kind.lower()}", file_name="phone")
    original_url = media["url"].replace("-large.", "-original.")
    for url in [original_url, media["url"], media["preview_url"]]:
        image = Image.open(io.BytesIO(requests.get(url, timeout=10).content))
        assert "icc_profile" not in image.info, url
        w, h = image.size
        grey, red = image.convert("RGB").getpixel((w // 4, h // 2)), image.convert("RGB").getpixel((3 * w // 4, h // 2))
        # Linear 50 is sRGB 122, and linear (200, 20, 20) is (229, 79, 79) (as littleCMS converts them through Pillow):
        # what a browser must be given to show them. Unconverted, they would stay 50 and (200, 20, 20).
        assert all(abs(c - 122) < 10 for c in grey), (url, grey)
        assert abs(red[0] - 229) < 10 and all(abs(c - 79) < 14 for c in red[1:]), (url, red)

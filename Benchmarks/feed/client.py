#!/usr/bin/env python3
"""Helpers for run.sh: OAuth tokens, photo generation, posting and upload timing. Standard library + Pillow.

  client.py tokens URL N PASSWORD OUT [OFFSET] -> N bearer tokens (members m00000.., or shifted by OFFSET), one a line
  client.py filters URL TOKENS N               -> N v2 filters (home context) for each token's member; a few of their
                                                  keywords occur in the generated posts (warn and hide), most do not
  client.py photos DIR COUNT WxH               -> COUNT distinct noisy JPEGs
  client.py post URL TOKEN PHOTODIR COUNT      -> JSON: p50/p90 of text-only and photo+status posts (sequential)
  client.py upload URL TOKEN PHOTODIR          -> JSON: POST /api/v2/media for each photo, sequential, photos/s
  client.py refused URL TOKEN BYTES COUNT      -> JSON: p50 of POST /api/v2/media of BYTES that are not an image
                                                  (refused, 422): the HTTP and multipart cost of an upload alone
"""
import json, os, random, statistics, sys, time, urllib.error, urllib.parse, urllib.request, uuid


def req(url, data=None, headers=None, method=None):
    r = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with urllib.request.urlopen(r, timeout=120) as resp:
        return resp.status, resp.read()


def form(url, fields, token=None):
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if token: h["Authorization"] = "Bearer " + token
    return req(url, urllib.parse.urlencode(fields, doseq=True).encode(), h)


def multipart(url, token, path=None, data=None):
    b = uuid.uuid4().hex
    if data is None:
        with open(path, "rb") as f: data = f.read()
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    return req(url, body, {"Authorization": "Bearer " + token, "Content-Type": f"multipart/form-data; boundary={b}"})


def tokens(base, n, password, out, offset=0):
    _, body = form(base + "/api/v1/apps", {"client_name": "feedbench", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                           "scopes": "read write follow"})
    app = json.loads(body)
    with open(out, "w") as f:
        for i in range(n):
            _, body = form(base + "/oauth/token", {"grant_type": "password", "username": f"m{(i*37 + offset) % 10000:05d}",
                                                   "password": password, "client_id": app["client_id"],
                                                   "client_secret": app["client_secret"], "scope": "read write follow"})
            f.write(json.loads(body)["access_token"] + "\n")


# Words gen.py puts in posts (so these filters act on real timelines), then words it never uses.
MATCHING = [("snow", "warn"), ("погода", "hide"), ("天气", "warn"), ("회의", "hide")]
OTHER = ["election", "lottery", "discount", "спорт", "футбол", "股票", "広告", "광고", "crypto", "casino", "rumour",
         "leak", "giveaway", "прогноз", "彩票", "セール", "할인", "horoscope", "gossip", "spoiler"]


def filters(base, token_file, n):
    for token in open(token_file).read().split():
        for i in range(n):
            word, action = MATCHING[i] if i < len(MATCHING) else (OTHER[i % len(OTHER)], "warn")
            form(base + "/api/v2/filters", {"title": f"bench {i} {word}", "context[]": ["home", "public"],
                                             "filter_action": action, "keywords_attributes[][keyword]": word,
                                             "keywords_attributes[][whole_word]": "true"}, token)


def photos(d, count, size):
    from PIL import Image
    w, h = map(int, size.split("x"))
    os.makedirs(d, exist_ok=True)
    rnd = random.Random(42)
    # A smooth gradient plus noise, so JPEG sizes look like a photo's (not flat, not pure noise).
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    for i in range(count):
        noise = Image.effect_noise((w, h), 40 + i).convert("RGB")
        tint = Image.new("RGB", (w, h), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
        img = Image.blend(Image.blend(base, tint, 0.4), noise, 0.35)
        img.save(os.path.join(d, f"p{i:03d}.jpg"), quality=88)


def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def post(base, token, d, count):
    files = sorted(os.listdir(d))[:count]
    text, photo, upload = [], [], []
    for i in range(count):
        t = time.perf_counter()
        form(base + "/api/v1/statuses", {"status": f"text-only bench post {i} {uuid.uuid4().hex}"}, token)
        text.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        _, body = multipart(base + "/api/v2/media", token, os.path.join(d, files[i % len(files)]))
        t1 = time.perf_counter()
        form(base + "/api/v1/statuses", {"status": f"photo bench post {i}", "media_ids[]": [json.loads(body)["id"]]}, token)
        photo.append((time.perf_counter() - t) * 1000)
        upload.append((t1 - t) * 1000)
    print(json.dumps({"n": count, "text_p50": statistics.median(text), "text_p90": pct(text, 90),
                      "photo_p50": statistics.median(photo), "photo_p90": pct(photo, 90),
                      "upload_p50": statistics.median(upload)}))


def upload(base, token, d):
    files = sorted(os.listdir(d))
    t = time.perf_counter()
    for f in files: multipart(base + "/api/v2/media", token, os.path.join(d, f))
    dt = time.perf_counter() - t
    print(json.dumps({"n": len(files), "seconds": dt, "photos_per_s": len(files) / dt}))


def refused(base, token, size, count):
    data = b"not an image " * (size // 13 + 1)
    times = []
    for _ in range(count):
        t = time.perf_counter()
        try:
            multipart(base + "/api/v2/media", token, data=data[:size])
        except urllib.error.HTTPError as e:
            assert e.code == 422, e.code
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"n": count, "bytes": size, "refused_p50": statistics.median(times)}))


if __name__ == "__main__":
    cmd, *a = sys.argv[1:]
    if cmd == "tokens": tokens(a[0], int(a[1]), a[2], a[3], int(a[4]) if len(a) > 4 else 0)
    elif cmd == "filters": filters(a[0], a[1], int(a[2]))
    elif cmd == "photos": photos(a[0], int(a[1]), a[2])
    elif cmd == "post": post(a[0], a[1], a[2], int(a[3]))
    elif cmd == "upload": upload(a[0], a[1], a[2])
    elif cmd == "refused": refused(a[0], a[1], int(a[2]), int(a[3]))

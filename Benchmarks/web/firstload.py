#!/usr/bin/env python3
"""First-load size of the sign-in page and the home timeline, as a phone with a cold cache fetches them.

Starts `starcon` on a fresh data directory filled by `starcon demo` (so the home timeline is a populated one),
then, for each page, fetches the HTML and every stylesheet, script and icon it links to, asking for gzip,
and adds up the bodies as they come over the wire (compressed); the response headers are shown beside them
(one connection, HTTP/1.1) but not counted against the goal. Photos (`/media/`) are left out: they are sized
for their slot and load lazily. Prints a table and exits 1 when a page misses its goal.

    .venv/bin/python Benchmarks/web/firstload.py --bin .build/release/starcon
"""
import argparse
import gzip
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests

GOALS = {"sign-in": 10 * 1024, "home": 40 * 1024}
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(session, url):
    response = session.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, allow_redirects=False)
    response.raw.decode_content = False
    data = response.raw.read()
    response.raw._body = data
    head = len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n")
    head += sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + 2
    return response, data, head


def measure(session, base, path):
    """(rows, total): each fetched resource with its compressed and raw size."""
    response, data, head = fetch(session, base + path)
    assert response.status_code == 200, (path, response.status_code)
    html = gzip.decompress(data) if response.headers.get("Content-Encoding") == "gzip" else data
    rows = [(path, response.headers.get("Content-Encoding", "-"), len(data), head, len(html))]
    seen = set()
    for href in ASSET.findall(html.decode()):
        url = urllib.parse.urljoin(base + path, href.replace("&amp;", "&"))
        if "/media/" in url or url in seen or not url.startswith(base):
            continue
        seen.add(url)
        r, body, h = fetch(session, url)
        raw = gzip.decompress(body) if r.headers.get("Content-Encoding") == "gzip" else body
        rows.append((url[len(base):], r.headers.get("Content-Encoding", "-"), len(body), h, len(raw)))
    return rows, sum(row[2] for row in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the starcon executable")
    parser.add_argument("--user", default="minjun", help="demo member whose home is measured")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="starcon-firstload-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"STARCON_DATA": data, "PATH": "/usr/bin:/bin"}
    server = None
    try:
        subprocess.run([args.bin, "migrate", "--data", data], check=True, capture_output=True, env=env)
        demo = subprocess.run([args.bin, "demo", "--data", data], check=True, capture_output=True, text=True, env=env)
        password = re.search(r"password: (\S+)", demo.stdout).group(1)
        server = subprocess.Popen([args.bin, "serve", "--data", data, "--http-port", str(port), "--nntp-port", "0",
                                   "--smtp-port", "0", "--imap-port", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        for _ in range(200):
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        session = requests.Session()
        session.headers["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) firstload"
        results = {}
        signin_rows, results["sign-in"] = measure(session, base, "/login")
        page = session.get(base + "/login").text
        token = re.search(r'name="_csrf" value="([^"]*)"', page).group(1)
        signed = session.post(base + "/login", data={"_csrf": token, "username": args.user, "password": password, "next": "/"})
        assert signed.status_code == 200 and "/login" not in signed.url, "sign-in failed"
        home_rows, results["home"] = measure(session, base, "/")
        failed = False
        for name, rows in [("sign-in", signin_rows), ("home", home_rows)]:
            print(f"{name}:")
            for path, encoding, wire, head, raw in rows:
                print(f"  {path:<36} {encoding:<5} {wire / 1024:6.1f} KB on the wire ({raw / 1024:5.1f} KB raw, headers {head / 1024:.1f} KB)")
            total, goal = results[name], GOALS[name]
            headers = sum(row[3] for row in rows)
            ok = total <= goal
            failed |= not ok
            print(f"  total {total / 1024:.1f} KB (+ {headers / 1024:.1f} KB of headers), goal <= {goal // 1024} KB: {'met' if ok else 'MISSED'}")
        return 1 if failed else 0
    finally:
        if server:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""Inputs the fuzz targets (Tests/Fuzz) found mishandled, through the real surfaces: a multipart upload whose
part header name is not ASCII (MultipartKit's parser trapped and took the whole server down), and NNTP
command lines and posted header lines holding a NUL or a lone CR (RFC 3977 §3.1 forbids them; they reached
group names and stored header lines)."""
import shutil
from pathlib import Path

import pytest
import requests

from conftest import PASSWORD
from nntpkit import NewsServer, sqlite_template

FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures"


@pytest.fixture
def news(data_dir):
    """A server on SQLite with nntpkit's members and groups."""
    shutil.copytree(sqlite_template(), data_dir, dirs_exist_ok=True)
    srv = NewsServer(data_dir, populated=True).start()
    yield srv
    srv.stop()


def test_a_non_ascii_part_header_name_is_read_not_fatal(server):
    assert server.cli("user", "add", "minjun", stdin=PASSWORD + "\n").returncode == 0
    app = requests.post(server.url + "/api/v1/apps", data={"client_name": "hardening", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                                                           "scopes": "read write"}, timeout=10).json()
    token = requests.post(server.url + "/oauth/token", data={
        "grant_type": "password", "username": "minjun", "password": PASSWORD, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read write"}, timeout=30).json()["access_token"]
    boundary = "hardening-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"사진;1.jpg\"\r\n".encode()
            + "X-Überschrift: 1\r\nContent-Type: image/jpeg\r\n\r\n".encode() + (FIXTURES / "oriented.jpg").read_bytes()
            + f"\r\n--{boundary}--\r\n".encode())
    answer = requests.post(server.url + "/api/v2/media", data=body, timeout=30, headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 200, answer.text[:300]
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200, "the server is still up"


def test_nul_and_lone_cr_in_command_lines_and_posted_headers_are_refused(news):
    with news.raw("alice") as client:
        client.send(b"GROUP starcon.general\x00\r\n")
        assert client.status()[0] == 501
        client.send(b"GROUP starcon.gen\reral\r\n")
        assert client.status()[0] == 501
        assert client.cmd("GROUP starcon.general")[0] == 211, "the session goes on"
        code, _ = client.post(b"Newsgroups: starcon.test\r\nSubject: nul\r\nUser-Agent: reader\x00Injected: yes\r\n\r\nbody\r\n")
        assert code == 441
        code, _ = client.post(b"Newsgroups: starcon.test\r\nSubject: clean\r\nUser-Agent: reader\r\n\r\nbody\r\n")
        assert code == 240

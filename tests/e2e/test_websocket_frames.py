"""WebSocket frames that break RFC 6455, written byte by byte over a raw socket to both WebSocket routes (the
messenger's stream and Mastodon streaming): an unmasked client frame closes with 1002, a text message that is
not UTF-8 (whole or split over fragments) with 1007, and well-formed frames still work."""
import base64
import json
import os
import socket
import struct

import pytest
import requests

from conftest import PASSWORD, Server


@pytest.fixture(scope="module")
def stream_server(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("ws")), extra=["--nntp-port", "0"])
    assert srv.cli("user", "add", "kim", stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    app = requests.post(srv.url + "/api/v1/apps", data={
        "client_name": "frames", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read write"}, timeout=10).json()
    srv.token = requests.post(srv.url + "/oauth/token", data={
        "grant_type": "password", "username": "kim", "password": PASSWORD, "client_id": app["client_id"],
        "client_secret": app["client_secret"], "scope": "read write"}, timeout=30).json()["access_token"]
    yield srv
    srv.stop()


ROUTES = {
    "messenger": "/api/starcon/v1/stream?access_token={token}",
    "mastodon": "/api/v1/streaming?access_token={token}&stream=user",
}


class RawWebSocket:
    def __init__(self, server, path):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            assert chunk, "closed during the handshake"
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def send(self, opcode, payload, fin=True, masked=True):
        first = (0x80 if fin else 0) | opcode
        mask_bit = 0x80 if masked else 0
        if len(payload) < 126:
            header = struct.pack("!BB", first, mask_bit | len(payload))
        else:
            header = struct.pack("!BBH", first, mask_bit | 126, len(payload))
        if masked:
            key = os.urandom(4)
            payload = key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + payload)

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def frame(self):
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        return first & 0x0F, self._read(length)

    def close_code(self):
        """The code of the server's close frame, skipping the frames before it."""
        while True:
            opcode, payload = self.frame()
            if opcode == 0x8:
                return struct.unpack("!H", payload[:2])[0]

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("route", ROUTES)
def test_unmasked_client_frames_close_with_1002(stream_server, route):
    ws = RawWebSocket(stream_server, ROUTES[route].format(token=stream_server.token))
    ws.send(0x1, b'{"type":"ping"}', masked=False)
    assert ws.close_code() == 1002
    ws.close()


@pytest.mark.parametrize("route", ROUTES)
def test_text_that_is_not_utf8_closes_with_1007(stream_server, route):
    ws = RawWebSocket(stream_server, ROUTES[route].format(token=stream_server.token))
    ws.send(0x1, b'{"type":"ping","x":"\xff\xfe"}')
    assert ws.close_code() == 1007
    ws.close()


@pytest.mark.parametrize("route", ROUTES)
def test_utf8_broken_across_fragments_closes_with_1007(stream_server, route):
    ws = RawWebSocket(stream_server, ROUTES[route].format(token=stream_server.token))
    ws.send(0x1, b'{"type":"ping","x":"\xe2\x82', fin=False)
    ws.send(0x0, b'"}')
    assert ws.close_code() == 1007
    ws.close()


def test_well_formed_frames_still_work(stream_server):
    ws = RawWebSocket(stream_server, ROUTES["messenger"].format(token=stream_server.token))
    text = '{"type":"ping","x":"한국어 ✓"}'.encode()
    ws.send(0x1, text[:21], fin=False)  # split inside 한
    ws.send(0x0, text[21:])
    while True:
        opcode, payload = ws.frame()
        assert opcode != 0x8, f"closed: {payload!r}"
        if opcode == 0x1 and json.loads(payload).get("event") == "pong":
            break
    ws.close()

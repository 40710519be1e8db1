"""The production server command (`python -m cms.server`, granian) is not held by slow heads or huge ones.

A real server process on loopback with 2 workers of 1 Python thread each: more half-sent request heads than
it has threads must not delay a normal request, and heads over the limits are refused at once with a 4xx.
Under the former command (gunicorn, 2 sync workers, `limit_request_line = 0`) the normal request timed out
and an 8 MB request line took seconds. (A body sent slowly to a view that reads it still holds that view's
thread: docs/decisions.md says where.)
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from cms.server import MAX_HEAD_BYTES
from tests.delivery.servers import manage, server_env, start_server, stop_server

WORKERS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("server") / "cms.sqlite3"
    env = server_env(DATABASE_URL=f"sqlite:///{database}", CACHE_URL="locmem://")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "create_site", "acme", "--locales", "en", "--default-locale", "en")
    process, base = start_server(env, workers=WORKERS, threads=1)
    yield base
    stop_server(process)


def address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def get(url: str, timeout: float) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def raw_status(base: str, head: bytes, timeout: float = 5) -> tuple[int, float]:
    """Send a raw request head; the answer's status and how long it took (including sending)."""
    started = time.monotonic()
    with socket.create_connection(address(base), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # a server may answer and close before the whole head is sent
            sock.sendall(head)
        answer = sock.recv(200)
    return int(answer.split(b" ", 2)[1]), time.monotonic() - started


def test_half_sent_requests_do_not_hold_the_workers(server):
    held = []
    try:
        for _ in range(3 * WORKERS):  # heads that never end
            sock = socket.create_connection(address(server))
            sock.sendall(b"GET /api/v1/delivery/acme/blocks/hero HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(sock)
        time.sleep(0.5)  # the server has read all of it
        for _ in range(4):
            started = time.monotonic()
            status, body = get(f"{server}/api/v1/delivery/acme/blocks/hero", timeout=5)
            assert time.monotonic() - started < 1.0
            assert status == 404 and body == {
                "error": {"code": "not_found", "message": "No published block `hero` in locale `en`."}
            }
    finally:
        for sock in held:
            sock.close()


def test_heads_over_the_limits_are_refused_at_once(server):
    path = "/api/v1/delivery/acme/pages?path=/"
    # an 8 MB request line: refused by the server before Python, not parsed for seconds
    status, took = raw_status(server, f"GET {path}{'a' * 8_000_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 431 and took < 2
    # a request target over hyper's ~64 KB cap
    status, took = raw_status(server, f"GET {path}{'a' * 70_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 414 and took < 2
    # headers over the head limit, many small ones
    headers = "".join(f"X-H{n}: {'b' * 1000}\r\n" for n in range(MAX_HEAD_BYTES // 1000 + 1))
    status, took = raw_status(server, f"GET / HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode())
    assert status in (400, 431) and took < 2  # hyper says 400 when the buffer fills inside the headers
    # under the limits a long query reaches Django: its JSON envelope, with the field
    status, body = get(f"{server}{path}{'a' * 20_000}", timeout=5)
    assert status == 400 and body == {
        "error": {
            "code": "bad_request",
            "message": "`path` is longer than 2048 characters.",
            "fields": {"path": "At most 2048 characters."},
        }
    }

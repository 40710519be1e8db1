"""Rate limits per token: reads and writes counted apart, 429 `rate_limited` with `Retry-After`, `RateLimit-*`
headers on every answer, and one count shared by separate server processes through Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from email.message import Message
from pathlib import Path

import orjson
import pytest

from cms.settings import base
from tests.delivery.servers import spawn_server, stop_server, wait_ready

DEFAULTS = {
    "RATE_LIMIT_READS_PER_MINUTE": base.CMS["RATE_LIMIT_READS_PER_MINUTE"],
    "RATE_LIMIT_WRITES_PER_MINUTE": base.CMS["RATE_LIMIT_WRITES_PER_MINUTE"],
    "RATE_LIMIT_WINDOW_SECONDS": base.CMS["RATE_LIMIT_WINDOW_SECONDS"],
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def limits(settings):
    """Production limits (the test settings raise them); `limits(writes=2)` to change one."""

    def apply(reads=None, writes=None, window=None):
        settings.CMS = {
            **settings.CMS,
            **DEFAULTS,
            **({"RATE_LIMIT_READS_PER_MINUTE": reads} if reads else {}),
            **({"RATE_LIMIT_WRITES_PER_MINUTE": writes} if writes else {}),
            **({"RATE_LIMIT_WINDOW_SECONDS": window} if window else {}),
        }

    apply()
    return apply


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert set(response.json()["error"]) == {"code", "message"}
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["RateLimit-Remaining"] == "0"


@pytest.mark.django_db
def test_production_defaults_are_120_reads_and_30_writes_a_minute():
    assert DEFAULTS == {
        "RATE_LIMIT_READS_PER_MINUTE": 120,
        "RATE_LIMIT_WRITES_PER_MINUTE": 30,
        "RATE_LIMIT_WINDOW_SECONDS": 60,
    }


@pytest.mark.django_db
def test_31st_write_in_a_minute_is_rate_limited(limits, api, make_client):
    for number in range(1, 31):
        response = api.post("/api/v1/site-blocks", {"name": f"Block {number}", "type": "global"}, format="json")
        assert response.status_code == 201, (number, response.json())
        assert response["RateLimit-Limit"] == "30"
        assert response["RateLimit-Remaining"] == str(30 - number)
        assert 0 < int(response["RateLimit-Reset"]) <= 60

    refused = api.post("/api/v1/site-blocks", {"name": "Block 31", "type": "global"}, format="json")
    assert_rate_limited(refused)
    # Refused writes change nothing; failed writes (4xx) count like any other.
    assert api.get("/api/v1/site-blocks", {"search": "Block 31"}).json()["meta"]["total"] == 0
    assert_rate_limited(api.put("/api/v1/site-blocks/block-1/data", {"data": {}}, format="json"))

    # Reads are counted apart, and another token has its own allowance.
    read = api.get("/api/v1/site-blocks/block-1")
    assert read.status_code == 200
    assert read["RateLimit-Limit"] == "120" and read["RateLimit-Remaining"] == "118"
    other = make_client()
    assert other.post("/api/v1/site-blocks", {"name": "Other", "type": "global"}, format="json").status_code == 201


@pytest.mark.django_db
def test_reads_have_their_own_limit_and_errors_carry_the_headers(limits, api):
    limits(reads=3)
    missing = api.get("/api/v1/site-blocks/nope")
    assert missing.status_code == 404 and missing["RateLimit-Remaining"] == "2"
    assert api.get("/api/v1/site-blocks")["RateLimit-Remaining"] == "1"
    assert api.get("/api/v1/site-blocks")["RateLimit-Remaining"] == "0"
    assert_rate_limited(api.get("/api/v1/site-blocks"))
    assert api.post("/api/v1/site-blocks", {"name": "Still", "type": "global"}, format="json").status_code == 201


@pytest.mark.django_db
def test_the_window_resets(limits, api):
    limits(writes=1, window=1)
    assert api.post("/api/v1/site-blocks", {"name": "One", "type": "global"}, format="json").status_code == 201
    refused = api.post("/api/v1/site-blocks", {"name": "Two", "type": "global"}, format="json")
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    time.sleep(1.1)
    assert api.post("/api/v1/site-blocks", {"name": "Two", "type": "global"}, format="json").status_code == 201


@pytest.mark.django_db
def test_unauthenticated_answers_are_not_counted(limits, client):
    response = client.get("/api/v1/site-blocks")
    assert response.status_code == 401
    assert "RateLimit-Limit" not in response


@pytest.mark.django_db
def test_a_cache_outage_lets_requests_through(limits, api, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = api.get("/api/v1/site-blocks")
    assert response.status_code == 200
    assert "RateLimit-Limit" not in response


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def send(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, Message, dict]:
    request = urllib.request.Request(
        url,
        method=method,
        data=orjson.dumps(body) if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, orjson.loads(error.read())


SETUP = """
import django
django.setup()
from io import StringIO
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("create_site", "acme", "--locales", "en", stdout=StringIO())
out = StringIO()
call_command("create_api_token", "--site", "acme", "--user", "bot", stdout=out)
print(out.getvalue().splitlines()[-1])
"""


@pytest.mark.redis
def test_limit_holds_across_two_server_processes(tmp_path):
    """Two production servers sharing one database and one Redis: 30 writes spread over both, the 31st refused."""
    if not redis_reachable():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "CACHE_URL": f"redis://127.0.0.1:6379/3?prefix=rl-test-{uuid.uuid4().hex}",
        "SECRET_KEY": "two-process-test-" + "x" * 40,
        "CMS_RATE_LIMIT_WRITES": "30",
        "CMS_RATE_LIMIT_READS": "120",
    }
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    token = setup.stdout.strip().splitlines()[-1]
    servers = [spawn_server(env) for _ in range(2)]
    try:
        for process, base in servers:
            wait_ready(process, base)
        urls = [f"{base}/api/v1" for _, base in servers]
        for url in urls:
            assert send("GET", f"{url}/site-blocks", token)[0] == 200
        statuses = []
        for number in range(1, 32):
            status, headers, body = send(
                "POST", f"{urls[number % 2]}/site-blocks", token, {"name": f"Block {number}", "type": "global"}
            )
            statuses.append(status)
        assert statuses == [201] * 30 + [429]
        assert body["error"]["code"] == "rate_limited" and int(headers["Retry-After"]) >= 1
        # The other server refuses too; reads (two so far) still go through on both.
        status, _, _ = send("POST", f"{urls[1]}/site-blocks", token, {"name": "Late", "type": "global"})
        assert status == 429
        status, headers, body = send("GET", f"{urls[0]}/site-blocks", token)
        assert status == 200 and body["meta"]["total"] == 30 and headers["RateLimit-Remaining"] == "117"
    finally:
        for process, _ in servers:
            stop_server(process)

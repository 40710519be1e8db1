"""Redis unreachable and back, under the production server: delivery keeps answering from the database
during the outage, management writes succeed, and nothing stale is served once Redis returns.

The server is the real production command (`tests/delivery/servers.py`, two worker processes) whose
`CACHE_URL` goes through `redis_proxy.TcpProxy`, cut and restored by the test while Redis keeps its keys
(the case that served unpublished content for 20+ s after recovery). The database is PostgreSQL when
`DATABASE_URL` says so (a database of its own, dropped afterwards), else a SQLite file both workers open.
"""

from __future__ import annotations

import os
import time
import uuid
from urllib.parse import urlparse

import psycopg
import pytest
import redis

from tests.delivery.conftest import REDIS_URL, redis_available
from tests.delivery.servers import call, manage, server_env, spawn_server, stop_server, wait_ready
from tests.delivery.test_delivery_api import NO_TOKEN_HINT
from tests.faults.redis_proxy import TcpProxy

pytestmark = pytest.mark.redis

RECOVERY_SECONDS = 5.0  # "nothing stale beyond a few seconds" after the cache returns
SCHEMA = [{"name": "title", "type": "string"}]


@pytest.fixture
def database_url(tmp_path):
    """A database the server processes can share: PostgreSQL (a fresh one) when the suite runs on it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'cms.sqlite3'}"
        return
    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'cms'}_cache_outage"[:60]
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield parsed._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def outage(database_url, tmp_path):
    """`(proxy, token, base_url)`: a production server with 2 workers whose Redis is behind `proxy`."""
    if not redis_available():
        pytest.skip(f"no Redis at {REDIS_URL}")
    redis_url = urlparse(REDIS_URL)
    proxy = TcpProxy((redis_url.hostname or "127.0.0.1", redis_url.port or 6379)).start()
    prefix = f"outage-{uuid.uuid4().hex[:12]}"
    env = server_env(
        DATABASE_URL=database_url,
        CACHE_URL=f"redis://127.0.0.1:{proxy.port}{redis_url.path or '/0'}?prefix={prefix}",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "create_site", "acme", "--locales", "en,fr", "--default-locale", "en")
    token = (
        manage(env, "create_api_token", "--site", "acme", "--user", "ed", "--role", "editor").strip().splitlines()[-1]
    )
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115  (kept for a failed run: the breaker's warnings)
    process, base = spawn_server({**env, "LOG_LEVEL": "INFO"}, workers=2, log=log)
    try:
        wait_ready(process, base)
        yield proxy, token, base, env
    finally:
        stop_server(process)
        log.close()
        proxy.close()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*", count=500):
            client.delete(key)


def title_of(base: str, slug: str) -> tuple[int, str | None]:
    status, _, body = call("GET", f"{base}/api/v1/delivery/acme/blocks/{slug}")
    assert status in (200, 404), (status, body)  # never a 500, whatever the cache does
    return status, body["data"]["data"]["title"] if status == 200 else None


def publish(base: str, token: str, slug: str, title: str) -> None:
    status, _, body = call(
        "PUT", f"{base}/api/v1/site-blocks/{slug}/data?publish=true", {"data": {"title": title}}, token
    )
    assert status == 200, body


def warm(base: str, *slugs: str) -> None:
    """Enough reads that both workers hold every answer: in Redis, in their memo and near cache."""
    for _ in range(12):
        for slug in slugs:
            assert title_of(base, slug)[0] == 200


def until_served(base: str, expected: dict[str, tuple[int, str | None]], seconds: float) -> float:
    """Poll until every slug is answered as expected; how long it took. Fails after `seconds`."""
    started = time.monotonic()
    while True:
        seen = {slug: title_of(base, slug) for slug in expected}
        if seen == expected:
            return time.monotonic() - started
        assert time.monotonic() - started < seconds, f"still served {seen}, expected {expected}"
        time.sleep(0.1)


REVOKE = """
from accounts.authentication import hash_token
from accounts.models import ApiToken
from accounts.services import token_revoke
token_revoke(token=ApiToken.objects.get(token_hash=hash_token("%s")))
"""


def revoked(base: str, secret: str) -> bool:
    status, _, body = call("GET", f"{base}/api/v1/delivery/acme/blocks/hero", None, secret)
    if status == 200:
        return False
    assert status == 401 and body == {
        "error": {"code": "token_revoked", "message": "This API token was revoked or has expired." + NO_TOKEN_HINT}
    }, body
    return True


def stays_served(base: str, expected: dict[str, tuple[int, str | None]], reads: int = 20) -> None:
    for read in range(reads):  # both workers, many times: none of them falls back to an old answer
        seen = {slug: title_of(base, slug) for slug in expected}
        assert seen == expected, f"read {read}: served {seen}, expected {expected}"


def test_delivery_answers_from_the_database_while_redis_is_down_and_nothing_stale_after(outage):
    proxy, token, base, env = outage
    api = f"{base}/api/v1/site-blocks"
    reader = manage(env, "create_api_token", "--site", "acme", "--user", "rd", "--role", "viewer").split()[-1]
    for name in ("Hero", "Promo"):
        assert call("POST", api, {"name": name, "type": "global", "schema": SCHEMA}, token)[0] == 201
    publish(base, token, "hero", "before")
    publish(base, token, "promo", "promo")
    warm(base, "hero", "promo")
    for _ in range(6):  # the reader's rights are cached too
        assert call("GET", f"{base}/api/v1/delivery/acme/blocks/hero", None, reader)[0] == 200

    proxy.cut("refuse")
    started = time.monotonic()
    assert title_of(base, "hero") == (200, "before")  # from the database, not a 500
    assert time.monotonic() - started < 3
    # management writes succeed; rate limits fail open (no RateLimit headers while the cache is down)
    status, headers, body = call("PUT", f"{api}/hero/data?publish=true", {"data": {"title": "during"}}, token)
    assert status == 200 and body["data"]["data"]["title"] == "during"
    assert "RateLimit-Limit" not in headers
    status, _, body = call("POST", f"{api}/promo/unpublish", None, token)
    assert status == 200 and body["data"]["status"] == "draft"
    status, _, body = call("POST", api, {"name": "Later", "type": "global", "schema": SCHEMA}, token)
    assert status == 201 and body["data"]["slug"] == "later"
    publish(base, token, "later", "new")
    # another process (a shell here) revokes the reader's token and exits before Redis is back
    manage(env, "shell", "-c", REVOKE % reader)
    # during the outage, every read is the database's truth, at once
    stays_served(base, {"hero": (200, "during"), "promo": (404, None), "later": (200, "new")}, reads=6)
    assert revoked(base, reader)

    proxy.restore()
    expected = {"hero": (200, "during"), "promo": (404, None), "later": (200, "new")}
    until_served(base, expected, RECOVERY_SECONDS)
    time.sleep(2.5)  # every worker's breaker has closed by now: reads come from the cache again
    stays_served(base, expected)
    assert all(revoked(base, reader) for _ in range(10))
    # and the cache works again: a publish now reaches every worker's near cache, and rate limits are back.
    # Not "at once" as on one host: the proxy's threads are a network hop, so the invalidation that Redis
    # pushes to the other worker may arrive a moment after the writer's answer (as across hosts).
    publish(base, token, "hero", "after")
    until_served(base, {"hero": (200, "after")}, 2.0)
    # The other worker hears of it through Redis tracking, or stops trusting its copy after CACHE_TIMEOUT
    # (1 s) at the latest: on a loaded machine the push may come after the first fresh read, never later.
    time.sleep(1.1)
    stays_served(base, {"hero": (200, "after")}, reads=6)
    status, headers, _ = call("GET", api, None, token)
    assert status == 200 and headers["RateLimit-Limit"] == "120"


def test_a_silent_redis_costs_one_timeout_then_reads_are_fast_and_fresh_after(outage):
    proxy, token, base, _ = outage
    api = f"{base}/api/v1/site-blocks"
    assert call("POST", api, {"name": "Hero", "type": "global", "schema": SCHEMA}, token)[0] == 201
    publish(base, token, "hero", "before")
    warm(base, "hero")

    proxy.cut("blackhole")  # connections stay open and hear nothing: only timeouts tell
    publish(base, token, "hero", "during")  # the write waits out one timeout at most, then records the bump
    for _ in range(3):  # each worker pays its first timeout once...
        assert title_of(base, "hero") == (200, "during")
    started = time.monotonic()
    for _ in range(10):  # ...then skips the cache without waiting
        assert title_of(base, "hero") == (200, "during")
    assert (time.monotonic() - started) / 10 < 0.5

    proxy.restore()
    until_served(base, {"hero": (200, "during")}, RECOVERY_SECONDS)
    stays_served(base, {"hero": (200, "during")})

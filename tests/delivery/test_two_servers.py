"""Two production servers (`python -m cms.server`) sharing one database and one Redis: a publish through one is read
from the other at once. No pytest-django database here: the servers need a real file both can open."""

from __future__ import annotations

import uuid

import pytest
import redis

from tests.delivery.conftest import REDIS_URL, redis_available
from tests.delivery.servers import call, manage, server_env, spawn_server, stop_server, wait_ready

pytestmark = pytest.mark.redis


@pytest.fixture
def two_servers(tmp_path):
    if not redis_available():
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"two-{uuid.uuid4().hex[:12]}"
    env = server_env(DATABASE_URL=f"sqlite:///{tmp_path / 'cms.sqlite3'}", CACHE_URL=f"{REDIS_URL}?prefix={prefix}")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "create_site", "acme", "--locales", "en,fr", "--default-locale", "en")
    token = (
        manage(env, "create_api_token", "--site", "acme", "--user", "ed", "--role", "editor").strip().splitlines()[-1]
    )
    servers = []
    try:
        servers.append(spawn_server(env))
        servers.append(spawn_server(env))
        for process, base in servers:
            wait_ready(process, base)
        yield token, servers[0][1], servers[1][1]
    finally:
        for process, _ in servers:
            stop_server(process)
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*", count=500):
            client.delete(key)


def test_publish_through_one_server_is_read_from_the_other_at_once(two_servers):
    token, writer, reader = two_servers
    api = f"{writer}/api/v1/site-blocks"
    schema = [{"name": "title", "type": "string"}]
    status, _, _ = call("POST", api, {"name": "Hero", "type": "global", "schema": schema}, token)
    assert status == 201
    assert call("PUT", f"{api}/hero/data?publish=true", {"data": {"title": "v1"}}, token)[0] == 200

    live = f"{reader}/api/v1/delivery/acme/blocks/hero"
    assert call("GET", live)[2]["data"]["data"]["title"] == "v1"
    assert call("GET", live)[2]["data"]["data"]["title"] == "v1"  # now a hit in the reader's process

    for title in [f"v{n}" for n in range(2, 12)]:
        assert call("PUT", f"{api}/hero/data?publish=true", {"data": {"title": title}}, token)[0] == 200
        assert call("GET", live)[2]["data"]["data"]["title"] == title

    assert call("POST", f"{api}/hero/unpublish", None, token)[0] == 200
    status, _, body = call("GET", live)
    assert status == 404 and body["error"]["code"] == "not_found"

    assert call("POST", f"{api}/hero/publish", None, token)[0] == 200
    assert call("GET", live)[0] == 200
    assert call("DELETE", f"{api}/hero", None, token)[0] == 200
    assert call("GET", live)[0] == 404

    # through the real server too, a huge path is the envelope, not the server's own HTML error
    status, _, body = call("GET", f"{reader}/api/v1/delivery/acme/pages?path=/{'a' * 20000}")
    assert status == 400 and body["error"]["fields"]["path"]

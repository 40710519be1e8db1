"""Two production servers (`python -m cms.server`) sharing one database and one Redis, as two app hosts would: a
publish through one is read from the other at once, either one purges every CDN cache with the same keys, and the
delivery rate limit counts one address across both. No pytest-django database here: the servers need a real
file both can open."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis

from tests.delivery.conftest import REDIS_URL, redis_available
from tests.delivery.servers import call, manage, server_env, spawn_server, stop_server, wait_ready

pytestmark = pytest.mark.redis


def start_two(tmp_path, **extra: str):
    """Migrate a database, make the site `acme` and an editor's token, start two servers; yields their parts."""
    if not redis_available():
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"two-{uuid.uuid4().hex[:12]}"
    env = server_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'cms.sqlite3'}", CACHE_URL=f"{REDIS_URL}?prefix={prefix}", **extra
    )
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


@pytest.fixture
def two_servers(tmp_path):
    yield from start_two(tmp_path)


class FakeVarnish:
    """Stands in for one Varnish: records the xkey of every PURGE it is sent (deploy/varnish/cms.vcl's API)."""

    def __init__(self) -> None:
        self.purged: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self) -> None:
                fake.purged.extend(self.headers.get("xkey", "").split())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


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
    # Asked again and again: kept, then answered at the front door (`delivery.front`) with the very answer the
    # whole path gave, the middleware's headers included (the server adds only its Date).
    answers = [call("GET", live) for _ in range(8)]
    first_status, first_headers, first_body = answers[0]
    assert first_headers["X-Frame-Options"] == "DENY" and first_headers["ETag"]
    for status, headers, body in answers:
        assert (status, body) == (first_status, first_body)
        assert sorted((k, v) for k, v in headers.items() if k.lower() != "date") == sorted(
            (k, v) for k, v in first_headers.items() if k.lower() != "date"
        )

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


def test_either_server_purges_every_varnish_with_the_keys_its_answers_name(tmp_path):
    caches = [FakeVarnish(), FakeVarnish()]
    purge_env = {"CMS_CDN_PURGER": "varnish", "CMS_CDN_PURGE_URLS": ",".join(cache.url for cache in caches)}
    try:
        for token, first, second in start_two(tmp_path, **purge_env):
            api = f"{first}/api/v1/site-blocks"
            schema = [{"name": "title", "type": "string"}]
            assert call("POST", api, {"name": "Hero", "type": "global", "schema": schema}, token)[0] == 201
            assert call("PUT", f"{api}/hero/data?publish=true", {"data": {"title": "v1"}}, token)[0] == 200
            _, first_headers, _ = call("GET", f"{first}/api/v1/delivery/acme/blocks/hero")
            _, second_headers, _ = call("GET", f"{second}/api/v1/delivery/acme/blocks/hero")
            keys = first_headers["Surrogate-Key"].split()
            assert keys and second_headers["Surrogate-Key"].split() == keys  # one key space, whichever host

            for cache in caches:
                cache.purged.clear()
            status, _, _ = call(
                "PUT", f"{second}/api/v1/site-blocks/hero/data?publish=true", {"data": {"title": "v2"}}, token
            )
            assert status == 200
            # The write through the other host purges every cache, with the block's key its answers carry.
            assert caches[0].purged == caches[1].purged == ["cms.s1.b.hero", "cms.s1.list"]
            assert "cms.s1.b.hero" in keys
            assert call("GET", f"{first}/api/v1/delivery/acme/blocks/hero")[2]["data"]["data"]["title"] == "v2"
    finally:
        for cache in caches:
            cache.close()


def forwarded_get(url: str, client: str) -> tuple[int, Message, dict]:
    """A GET as a load balancer on 127.0.0.1 passes it on for `client`."""
    request = urllib.request.Request(url, headers={"X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def test_the_delivery_rate_limit_counts_one_address_across_both_servers(tmp_path):
    # an hour: no window ends in the middle of the test
    limits = {"CMS_DELIVERY_RATE_LIMIT": "4/hour", "CMS_TRUSTED_PROXIES": "127.0.0.1"}
    for _, first, second in start_two(tmp_path, **limits):
        client = "203.0.113.50"
        statuses = [forwarded_get(f"{base}/api/v1/delivery/acme/blocks/x", client)[0] for base in (first, second) * 3]
        assert statuses == [404, 404, 404, 404, 429, 429]
        status, headers, body = forwarded_get(f"{second}/api/v1/delivery/acme/sync", client)
        assert (status, body) == (
            429,
            {"error": {"code": "rate_limited", "message": "Over 4 delivery requests in 3600 s from this address."}},
        )
        assert 1 <= int(headers["Retry-After"]) <= 3600
        assert forwarded_get(f"{first}/api/v1/delivery/acme/sync", "203.0.113.51")[0] == 200  # another client

"""Read replicas (cms/replicas.py), with a real streaming replica: delivery, the sync feed and management reads go
to it; a write and the reads after it in one request stay on the primary; a replica behind the product's last
write, lagging past `DATABASE_REPLICA_MAX_LAG_SECONDS`, or down, is passed over for the primary.

The test starts its own primary and replica (`tests/delivery/pgcluster.py`) and two production servers on the
primary: the "reader" with the replica configured, and a "writer" without (its own cache prefix, so the reader
learns nothing of its writes, like a tool writing to the database behind the product's back). Pausing the
replica's replay (`pg_wal_replay_pause()`) freezes what it shows, which is how the test tells the two apart.
"""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from tests.delivery import pgcluster
from tests.delivery.conftest import REDIS_URL, redis_available
from tests.delivery.servers import call, manage, server_env, spawn_server, stop_server, wait_ready

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

MAX_LAG = 5.0  # long enough for a loaded CI machine to read once within it
SCHEMA = [{"name": "title", "type": "string"}]


@pytest.fixture(scope="module")
def setup():
    reason = pgcluster.available()
    if reason:
        pytest.skip(f"cannot start a PostgreSQL primary and replica: {reason}")
    if not redis_available():
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"replica-{uuid.uuid4().hex[:12]}"
    with pgcluster.Replicated() as pair:
        base = server_env(DATABASE_URL=pair.primary_url(), CACHE_URL=f"{REDIS_URL}?prefix={prefix}-w")
        manage(base, "migrate", "--noinput", "-v", "0")
        manage(base, "create_site", "acme", "--locales", "en,fr", "--default-locale", "en")
        token = (
            manage(base, "create_api_token", "--site", "acme", "--user", "ed", "--role", "editor")
            .strip()
            .splitlines()[-1]
        )
        reader_env = {
            **base,
            "CACHE_URL": f"{REDIS_URL}?prefix={prefix}-r",
            "DATABASE_REPLICA_URLS": pair.replica_url(),
            "DATABASE_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
            "DATABASE_REPLICA_CHECK_SECONDS": "0",  # ask the replica on every choice: the test moves fast
        }
        servers = [spawn_server(base), spawn_server(reader_env)]
        try:
            for process, url in servers:
                wait_ready(process, url)
            pair.wait_caught_up()
            yield pair, token, servers[0][1], servers[1][1]
        finally:
            for process, _ in servers:
                stop_server(process)
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(match=f"{prefix}-*", count=500):
                client.delete(key)


def publish(base: str, token: str, slug: str, title: str, *, create: bool) -> dict:
    api = f"{base}/api/v1/site-blocks"
    if create:
        status, _, body = call("POST", api, {"name": slug.title(), "type": "global", "schema": SCHEMA}, token)
        assert status == 201, body
    status, _, body = call("PUT", f"{api}/{slug}/data?publish=true", {"data": {"title": title}}, token)
    assert status == 200, body
    return body


def delivered(base: str, slug: str) -> tuple[int, dict]:
    status, _, body = call("GET", f"{base}/api/v1/delivery/acme/blocks/{slug}")
    return status, body


def synced_titles(base: str) -> dict[str, str]:
    status, _, body = call("GET", f"{base}/api/v1/delivery/acme/sync?limit=100")
    assert status == 200, body
    return {item["slug"]: item["block"]["data"]["title"] for item in body["data"] if item["op"] == "upsert"}


def listed_slugs(base: str, token: str) -> set[str]:
    status, _, body = call("GET", f"{base}/api/v1/site-blocks", token=token)
    assert status == 200, body
    return {block["slug"] for block in body["data"]}


def not_found(slug: str) -> dict:
    return {"error": {"code": "not_found", "message": f"No published block `{slug}` in locale `en`."}}


def test_reads_go_to_the_replica_and_a_request_that_wrote_reads_the_primary(setup):
    pair, token, writer, reader = setup
    publish(writer, token, "hero", "v1", create=True)
    pair.wait_caught_up()
    assert delivered(reader, "hero")[1]["data"]["data"]["title"] == "v1"

    pair.pause_replay()
    try:
        publish(writer, token, "news", "fresh news", create=True)  # on the primary only

        # The reader's delivery miss, sync feed and management list all read the replica's older state.
        assert delivered(reader, "news") == (404, not_found("news"))
        assert synced_titles(reader) == {"hero": "v1"}
        assert listed_slugs(reader, token) == {"hero"}
        # ...while the primary has it (the writer reads only the primary).
        assert delivered(writer, "news")[1]["data"]["data"]["title"] == "fresh news"

        # A write and the reads after it in one request: the answer shows the write (the replica has v1).
        body = publish(reader, token, "hero", "v2", create=False)
        assert body["data"]["data"] == {"title": "v2"} and body["data"]["status"] == "published"

        # The reader recorded where the primary is after its write; the paused replica is behind it, so the
        # next reads (another request, on any process sharing the cache) go to the primary.
        assert delivered(reader, "news")[1]["data"]["data"]["title"] == "fresh news"
        assert delivered(reader, "hero")[1]["data"]["data"]["title"] == "v2"
        assert synced_titles(reader) == {"hero": "v2", "news": "fresh news"}
    finally:
        pair.resume_replay()
    pair.wait_caught_up()
    assert listed_slugs(reader, token) == {"hero", "news"}  # the replica again, caught up


def test_a_replica_lagging_past_the_limit_is_passed_over(setup):
    pair, token, writer, reader = setup
    publish(writer, token, "lag-base", "base", create=True)
    pair.wait_caught_up()
    replayed_at = time.monotonic()  # the replica's last replayed commit is about now
    pair.pause_replay()
    try:
        publish(writer, token, "promo", "promo", create=True)
        assert "promo" not in synced_titles(reader)  # behind, but within the limit: still read
        assert time.monotonic() - replayed_at < MAX_LAG, "the machine was too slow for this check to mean anything"
        time.sleep(max(0.0, replayed_at + MAX_LAG + 0.5 - time.monotonic()))
        assert synced_titles(reader)["promo"] == "promo"  # past the limit: the primary
        assert delivered(reader, "promo")[1]["data"]["data"]["title"] == "promo"
    finally:
        pair.resume_replay()
    pair.wait_caught_up()


def test_a_replica_that_is_down_is_passed_over(setup):
    pair, token, writer, reader = setup
    pair.stop_replica()
    publish(writer, token, "late", "late", create=True)
    assert delivered(reader, "late")[1]["data"]["data"]["title"] == "late"
    assert synced_titles(reader)["late"] == "late"
    assert "late" in listed_slugs(reader, token)
    status, _, body = call("GET", f"{reader}/api/v1/delivery/acme/blocks/nothing-here")
    assert (status, body) == (404, not_found("nothing-here"))

"""The sync feed skips nothing under concurrent publishes (PostgreSQL, real transactions in threads).

Writers in threads create, publish, re-publish and unpublish blocks of one site at once, each holding its
transaction open a little after taking its sync numbers (a subscriber sleeps inside it): exactly the window in
which numbers from a database sequence would commit out of order (7 visible before 6, a reader at 7 never
seeing 6). Meanwhile a reader syncs over HTTP again and again from its last cursor, applying each page to its
copy. At the end its copy must equal what the delivery API publishes: no change skipped, no stale version kept.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from accounts.permissions import Actor
from blocks import events, services
from blocks.models import SiteBlock
from tests.conftest import build_site, issue_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 4
BLOCKS_PER_WRITER = 12
SCHEMA = [{"name": "title", "type": "string", "required": True}]


def writer(site, user, index: int, failures: list) -> None:
    actor = Actor(user=user, site=site, role="editor")
    try:
        for number in range(BLOCKS_PER_WRITER):
            name = f"W{index} B{number}"
            block = services.block_create(
                actor=actor, name=name, type="global", schema=SCHEMA, data={"title": name}, locale="en"
            )
            block = services.block_publish(actor=actor, block=block, expected_version=None)
            if number % 3 == 1:  # a second version of it
                block = services.block_update_data(
                    actor=actor, block=block, data={"title": name + " v2"}, expected_version=None
                )
                services.block_publish(actor=actor, block=block, expected_version=None)
            if number % 4 == 2:  # and some go again
                services.block_unpublish(actor=actor, block=SiteBlock.objects.get(pk=block.pk), expected_version=None)
    except Exception as exc:  # reported by the test, with the writer's name
        failures.append(f"writer {index}: {exc!r}")
    finally:
        connection.close()


def hold_the_transaction(batch) -> None:
    """Inside each write's transaction, after its sync numbers were taken: stay a little before committing."""
    time.sleep(random.uniform(0.0, 0.03))


def apply(copy: dict, items: list[dict]) -> None:
    for item in items:
        key = (item["slug"], item["locale"])
        if item["op"] == "upsert":
            copy[key] = (item["block"]["version"], item["block"]["data"]["title"])
        else:
            copy.pop(key, None)


def test_a_reader_syncing_during_concurrent_publishes_misses_nothing(subscribe):
    site = build_site("busy", ("en",))
    user, _ = issue_token(site, username="writer")
    subscribe(events.recorded, hold_the_transaction)
    reader = Client()
    copy: dict = {}
    cursor = None
    failures: list[str] = []
    threads = [threading.Thread(target=writer, args=(site, user, index, failures)) for index in range(WRITERS)]
    for thread in threads:
        thread.start()
    polls = 0
    last_sequence = 0
    while any(thread.is_alive() for thread in threads) or polls == 0:
        params = {"cursor": cursor} if cursor else {}
        response = reader.get("/api/v1/delivery/busy/sync", {**params, "limit": 7})
        assert response.status_code == 200, response.content
        body = response.json()
        sequences = [item["sequence"] for item in body["data"]]
        assert sequences == sorted(sequences) and all(sequence > last_sequence for sequence in sequences)
        last_sequence = sequences[-1] if sequences else last_sequence
        apply(copy, body["data"])
        cursor = body["meta"]["cursor"]
        polls += 1
    for thread in threads:
        thread.join()
    assert failures == []
    while True:  # the rest, after the last write
        body = reader.get("/api/v1/delivery/busy/sync", {"cursor": cursor}).json()
        apply(copy, body["data"])
        cursor = body["meta"]["cursor"]
        if not body["meta"]["hasMore"]:
            break

    published = {
        (row.slug, row.locale): (row.published_version, row.published_snapshot["data"]["title"])
        for row in SiteBlock.objects.filter(site=site, status="published")
    }
    assert polls > 3, "the reader should have synced while the writers were writing"
    assert len(published) == WRITERS * (BLOCKS_PER_WRITER - BLOCKS_PER_WRITER // 4)
    assert copy == published

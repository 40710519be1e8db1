"""Optimistic concurrency under real contention: PostgreSQL, real threads, one connection each."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from blocks.models import SiteBlock
from tests.conftest import build_site, client_with, issue_token

WRITERS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_writers_with_the_same_etag_exactly_one_wins():
    site = build_site()
    _, secret = issue_token(site, username="jane")
    api = client_with(secret)
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "Header", "type": "global", "schema": [{"name": "n", "type": "number"}]},
        format="json",
    )
    etag, version = created.headers["ETag"], created.json()["data"]["version"]
    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        try:
            client = client_with(secret)
            barrier.wait()
            response = client.put(
                "/api/v1/site-blocks/header/data", {"data": {"n": index}}, format="json", HTTP_IF_MATCH=etag
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(index,)) for index in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [409] * (WRITERS - 1)
    block = SiteBlock.objects.get(slug="header")
    assert block.version == version + 1

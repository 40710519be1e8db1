"""A release goes live in one transaction: readers of the delivery API running during the publish (and the
rollback) see every item as it was before or every item as it is after, never a mix. PostgreSQL only: SQLite
serialises whole-database writes, so it could not show a mix anyway."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from tests.releases.test_releases_api import add, create, new_release

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/delivery/acme/blocks?perPage=100"
SLUGS = [f"page-{n}" for n in range(7)]


def read_until(stop: threading.Event, seen: list[tuple[tuple[str, str], ...]], errors: list[str]) -> None:
    client = Client()
    try:
        while not stop.is_set():
            response = client.get(LIST)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.content[:200]!r}")
                continue
            seen.append(tuple(sorted((item["slug"], item["data"]["title"]) for item in response.json()["data"])))
    finally:
        connection.close()


def test_readers_never_see_part_of_a_release(api: APIClient, on_postgres):
    if not on_postgres:
        pytest.skip("PostgreSQL only (set DATABASE_URL=postgres://…)")
    for slug in SLUGS:
        create(api, slug.replace("-", " ").title(), f"{slug} v1", publish=True)
        api.put(f"/api/v1/site-blocks/{slug}/data", {"data": {"title": f"{slug} v2"}}, format="json")
    release, _ = new_release(api)
    for slug in SLUGS:
        add(api, release, slug)
    before = tuple(sorted((slug, f"{slug} v1") for slug in SLUGS))
    after = tuple(sorted((slug, f"{slug} v2") for slug in SLUGS))

    stop, seen, errors = threading.Event(), [], []
    readers = [threading.Thread(target=read_until, args=(stop, seen, errors)) for _ in range(3)]
    for reader in readers:
        reader.start()
    time.sleep(0.3)
    published = api.post(f"/api/v1/releases/{release}/publish", {}, format="json")
    time.sleep(0.3)
    rolled_back = api.post(f"/api/v1/releases/{release}/rollback", {}, format="json")
    time.sleep(0.3)
    stop.set()
    for reader in readers:
        reader.join()

    assert published.status_code == 200 and rolled_back.status_code == 200
    assert not errors
    assert set(seen) <= {before, after}, [state for state in set(seen) if state not in (before, after)][:2]
    assert seen[0] == before and seen[-1] == before and after in seen  # they read through both changes

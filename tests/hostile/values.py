"""Helpers of the value suites (richtext, numbers, depth, relative URLs): making blocks through the API,
asserting the whole refusal envelope, and proving a refusal wrote nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from blocks.models import SiteBlock
from delivery import cache as delivery_cache
from revisions.models import BlockRevision

BLOCKS = "/api/v1/site-blocks"
DELIVERY = "/api/v1/delivery/acme"


@pytest.fixture
def fresh_delivery_cache():
    """Each test starts and ends with an empty delivery cache (ids and versions repeat from test to test,
    and writes inside a test's transaction never reach the after-commit invalidation)."""

    def clear() -> None:
        if "locmem" in settings.CACHES["default"]["BACKEND"]:
            cache.clear()
        delivery_cache.local_clear()

    clear()
    yield clear
    clear()


def create(api, schema: list, data: dict | None = None, *, name: str = "Hero", publish: bool = False) -> SiteBlock:
    body: dict[str, Any] = {"name": name, "type": "global", "schema": schema}
    if data is not None:
        body["data"] = data
    response = api.post(BLOCKS, body, format="json")
    assert response.status_code == 201, response.content[:500]
    block = SiteBlock.objects.get(pk=response.json()["data"]["id"])
    if publish:
        answer = api.post(f"{BLOCKS}/{block.slug}/publish", format="json")
        assert answer.status_code == 200, answer.content[:500]
        block.refresh_from_db()
    return block


def footprint() -> tuple:
    """Everything a refused write could have changed: every block's version, data, schema and snapshot, and
    the number of blocks and revisions."""
    rows = tuple(SiteBlock.objects.order_by("pk").values_list("pk", "version", "data", "schema", "published_snapshot"))
    return rows, SiteBlock.objects.count(), BlockRevision.objects.count()


def nest(levels: int, leaf: Any = 1) -> Any:
    """`levels` lists one inside the other around `leaf`: `nest(2)` is `[[1]]`."""
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


def nest_objects(levels: int, leaf: Any = 1, key: str = "a") -> Any:
    value = leaf
    for _ in range(levels):
        value = {key: value}
    return value


def refused(response, fields: dict[str, str], message: str, status: int = 422) -> None:
    """The response is exactly the envelope `validation_failed` with `message` and `fields`."""
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "validation_failed", "message": message, "fields": fields}}

"""Query counts stay flat: the list whatever the page size and filters, single-block reads and writes
whatever the block's size or history. Compared between a small and a large case in the same test."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 400, response.content[:300]
    return len(captured)


def schema_of(size: int) -> list[dict]:
    return [{"name": f"f{index}", "type": "string", "label": f"Field {index}"} for index in range(size)]


def test_list_query_count_is_the_same_for_every_page_size_and_filter(api):
    for index in range(40):
        tags = ["nav", f"t{index % 3}"]
        api.post("/api/v1/site-blocks", {"name": f"Block {index}", "type": "global", "tags": tags}, format="json")
    api.post("/api/v1/site-blocks/block-1/publish")
    api.get("/api/v1/site-blocks")  # the token's last_used_at is written at most once a minute: warm it

    counts = {
        query: count_queries(lambda query=query: api.get(f"/api/v1/site-blocks?{query}"))
        for query in (
            "perPage=1",
            "perPage=15",
            "perPage=100",
            "perPage=20&page=2",
            "tags=t1,t2&ordering=-updatedAt&perPage=100",
            "search=block&status=draft&type=global&ordering=name&perPage=50",
        )
    }
    assert len(set(counts.values())) == 1, counts
    assert next(iter(counts.values())) <= 3  # token, count, page


def test_single_block_reads_and_writes_do_not_grow_with_size_or_history(api):
    for name, size in (("Small", 1), ("Large", 60)):
        data = {f"f{index}": f"value {index}" for index in range(size)}
        response = api.post(
            "/api/v1/site-blocks",
            {"name": name, "type": "global", "schema": schema_of(size), "data": data},
            format="json",
        )
        assert response.status_code == 201
    for _ in range(5):  # some history on the large block
        api.put("/api/v1/site-blocks/large/data", {"data": {"f0": "again"}}, format="json")
        api.post("/api/v1/site-blocks/large/publish")
    api.post("/api/v1/site-blocks/small/publish")  # both live: a live write also records its sync change
    api.get("/api/v1/site-blocks/small")

    def calls(slug: str, size: int) -> dict:
        return {
            "get": lambda: api.get(f"/api/v1/site-blocks/{slug}"),
            "json-schema": lambda: api.get(f"/api/v1/site-blocks/{slug}/json-schema"),
            "data": lambda: api.put(f"/api/v1/site-blocks/{slug}/data", {"data": {"f0": "new"}}, format="json"),
            "schema": lambda: api.put(f"/api/v1/site-blocks/{slug}/schema", {"schema": schema_of(size)}, format="json"),
            "patch": lambda: api.patch(f"/api/v1/site-blocks/{slug}", {"name": slug.title() + "!"}, format="json"),
            "publish": lambda: api.post(f"/api/v1/site-blocks/{slug}/publish"),
            "unpublish": lambda: api.post(f"/api/v1/site-blocks/{slug}/unpublish"),
        }

    small = {name: count_queries(call) for name, call in calls("small", 1).items()}
    large = {name: count_queries(call) for name, call in calls("large", 60).items()}
    assert small == large
    assert small["get"] <= 2 and small["json-schema"] <= 2
    # A write to a live block does more inside its transaction, each a fixed number of statements: the sync
    # feed's change log (+2), the search document (delivery.search), the answer rendered at publish
    # (delivery.prerender: drop and insert its rows) and the review gate's look at the site's setting.
    assert max(small.values()) <= 24, small

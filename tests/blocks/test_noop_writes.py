"""Writes that change nothing (issue 21): the same values sent again keep the version, the ETag and the
history as they were, answer 200 with the block unchanged, and announce nothing. One rule in the write path
(`blocks.services.writing`), so every way in behaves alike: the API's data, schema and meta writes, a
schedule cancelled that was not set, a publish of what is live already (the admin's bulk publish: in
tests/editor/test_admin_list.py)."""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock
from revisions.models import BlockRevision

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string"}, {"name": "body", "type": "richtext"}]
DATA = {"title": "Hello", "body": "<p>Hi</p>"}


@pytest.fixture
def hero(api):
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Hero", "type": "global", "slug": "hero", "tags": ["a"], "schema": SCHEMA, "data": DATA},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert api.post("/api/v1/site-blocks/hero/publish").status_code == 200
    return SiteBlock.objects.get(slug="hero")


def state(block: SiteBlock) -> tuple:
    block.refresh_from_db()
    return block.version, block.updated_at, block.published_at, BlockRevision.objects.filter(block_id=block.pk).count()


NOOPS = {
    "data": ("put", "/api/v1/site-blocks/hero/data", {"data": DATA}),
    "data, a key": ("put", "/api/v1/site-blocks/hero/data", {"data": {"title": "Hello"}}),
    "schema": ("put", "/api/v1/site-blocks/hero/schema", {"schema": SCHEMA}),
    "meta": ("patch", "/api/v1/site-blocks/hero", {"name": "Hero", "tags": ["a"]}),
    "schedule cancelled, none set": ("delete", "/api/v1/site-blocks/hero/schedule", None),
    "publish, unchanged": ("post", "/api/v1/site-blocks/hero/publish", None),
    "data and publish": ("put", "/api/v1/site-blocks/hero/data?publish=true", {"data": DATA}),
}


@pytest.mark.parametrize("name", sorted(NOOPS))
def test_a_write_that_changes_nothing_keeps_version_etag_and_history(api, hero, name):
    method, url, body = NOOPS[name]
    etag = api.get("/api/v1/site-blocks/hero")["ETag"]
    before = state(hero)
    response = getattr(api, method)(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    if "data" in response.json() and isinstance(response.json()["data"], dict):
        assert response.json()["data"]["version"] == before[0]
    assert api.get("/api/v1/site-blocks/hero")["ETag"] == etag
    assert state(hero) == before


def test_a_real_change_after_a_noop_still_bumps_once(api, hero):
    version = state(hero)[0]
    api.put("/api/v1/site-blocks/hero/data", {"data": DATA}, format="json")
    response = api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Changed"}}, format="json")
    assert response.json()["data"]["version"] == version + 1

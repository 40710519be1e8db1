"""The Python client's side of what a live server cannot show on demand, against httpx's stand-in transport:
the sync feed's paging and cursors, an expired cursor, answers that are not the API's JSON, the token."""

from __future__ import annotations

import json

import httpx
import pytest
from cms_client import CmsClient, CmsError

FEED = "/api/v1/delivery/demo/sync"


def block(slug: str, locale: str) -> dict:
    return {"id": 1, "name": slug, "slug": slug, "type": "global", "locale": locale, "tags": [], "data": {}}


def stand_in(routes: dict[str, tuple[int, object]]) -> tuple[CmsClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        missing = (404, {"error": {"code": "not_found", "message": "No route."}})
        status, body = routes.get(request.url.raw_path.decode(), missing)
        content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers={"Content-Type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    return CmsClient("http://cms.test/", site="demo", token="cms_x", http=http), seen


def test_sync_follows_the_cursor_while_has_more():
    first = [
        {"op": "upsert", "kind": "block", "slug": "a", "locale": "en", "sequence": 1, "block": block("a", "en")},
        {"op": "upsert", "kind": "block", "slug": "b", "locale": "en", "sequence": 2, "block": block("b", "en")},
    ]
    second = [{"op": "delete", "kind": "block", "slug": "c", "locale": "fr", "sequence": 3, "block": None}]
    cms, seen = stand_in(
        {
            f"{FEED}?limit=2": (200, {"data": first, "meta": {"cursor": "c1", "hasMore": True}}),
            f"{FEED}?cursor=c1&limit=2": (200, {"data": second, "meta": {"cursor": "c2", "hasMore": False}}),
            f"{FEED}?cursor=c2": (200, {"data": [], "meta": {"cursor": "c2", "hasMore": False}}),
        }
    )
    full = cms.sync(limit=2)
    assert [(item["op"], item["slug"], item["sequence"]) for item in full.items] == [
        ("upsert", "a", 1),
        ("upsert", "b", 2),
        ("delete", "c", 3),
    ]
    assert full.cursor == "c2"
    later = cms.sync(cursor=full.cursor)
    assert (later.items, later.cursor) == ([], "c2")
    assert [request.url.raw_path.decode() for request in seen] == [
        f"{FEED}?limit=2",
        f"{FEED}?cursor=c1&limit=2",
        f"{FEED}?cursor=c2",
    ]
    assert all("if-none-match" not in request.headers for request in seen), "the feed is never revalidated"
    assert all(request.headers["authorization"] == "Bearer cms_x" for request in seen)


def test_an_expired_cursor_is_sync_cursor_expired():
    message = "This cursor expired: do a full sync: call /sync without a cursor."
    cms, _ = stand_in({f"{FEED}?cursor=old": (410, {"error": {"code": "sync_cursor_expired", "message": message}})})
    with pytest.raises(CmsError) as caught:
        cms.sync(cursor="old")
    assert (caught.value.status, caught.value.code, caught.value.message, caught.value.fields) == (
        410,
        "sync_cursor_expired",
        message,
        {},
    )


def test_an_answer_that_is_not_the_apis_json_is_bad_response():
    cms, _ = stand_in(
        {
            "/api/v1/delivery/demo/blocks/html": (502, "<html>Bad gateway</html>"),
            "/api/v1/delivery/demo/blocks/text": (200, "no"),
        }
    )
    for slug, status in (("html", 502), ("text", 200)):
        with pytest.raises(CmsError) as caught:
            cms.get_block(slug)
        assert (caught.value.status, caught.value.code) == (status, "bad_response")

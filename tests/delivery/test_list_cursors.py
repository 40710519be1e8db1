"""Keyset cursors on the delivery list: a walk by `cursor` returns the same rows as the page numbers, in
every order; a cursor that was tampered with, made for another order or sent with `page` is a 400."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delivery/acme"
SCHEMA = [{"name": "price", "type": "number"}, {"name": "day", "type": "date"}, {"name": "at", "type": "datetime"}]


@pytest.fixture
def priced(publish):
    """11 blocks, prices with ties and gaps (a missing price sorts last)."""
    rows = []
    for index in range(11):
        data = {"day": f"2026-01-{index % 4 + 1:02d}", "at": f"2026-01-01T{index % 3:02d}:00:00.5+01:00"}
        if index % 5:
            data["price"] = index % 3
        rows.append(publish(f"P{index:02d}", data, schema=SCHEMA))
    return rows


def get(url: str):
    return APIClient().get(url)


def walk(query: str, per_page: int) -> list[str]:
    slugs: list[str] = []
    cursor = None
    for _ in range(20):
        url = f"{BASE}/blocks?perPage={per_page}&{query}" + (f"&cursor={cursor}" if cursor else "")
        body = get(url).json()
        assert "currentPage" not in body["meta"] or cursor is None
        slugs += [item["slug"] for item in body["data"]]
        cursor = body["meta"]["nextCursor"]
        if cursor is None:
            return slugs
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize(
    "order", ["", "order=data.price", "order=-data.price", "order=-data.day", "order=data.at", "order=-data.at"]
)
@pytest.mark.parametrize("per_page", [1, 3, 4])
def test_a_cursor_walk_returns_what_the_whole_list_does(priced, order, per_page):
    query = f"schemaOf=p00&{order}" if order else "type=global"
    whole = [item["slug"] for item in get(f"{BASE}/blocks?perPage=100&{query}").json()["data"]]
    assert len(whole) == 11
    assert walk(query, per_page) == whole


def envelope(message: str) -> dict:
    return {"error": {"code": "bad_request", "message": f"`cursor`: {message}", "fields": {"cursor": message}}}


FOREIGN = "Not a cursor of this list: use the `nextCursor` of the previous page."


def test_bad_cursors_get_the_envelope(priced):
    first = get(f"{BASE}/blocks?perPage=2&schemaOf=p00&order=data.price").json()["meta"]["nextCursor"]
    tampered = first[:-3] + ("AAA" if not first.endswith("AAA") else "BBB")
    for cursor in (tampered, "eyJvIjoiIiwiayI6IngiLCJpIjoxfQ", "x" * 2000, "%00"):
        response = get(f"{BASE}/blocks?perPage=2&schemaOf=p00&order=data.price&cursor={cursor}")
        assert response.status_code == 400
        assert response.json() == envelope(FOREIGN) or cursor == "%00"
    other = get(f"{BASE}/blocks?perPage=2&schemaOf=p00&order=-data.price&cursor={first}")
    assert other.json() == envelope("This cursor was made for another order: send the same `order` as the first page.")
    both = get(f"{BASE}/blocks?perPage=2&schemaOf=p00&order=data.price&page=2&cursor={first}")
    assert both.json() == envelope("Send `cursor` or `page`, not both.")

"""Across every management route (found from the URL configuration): a token of site A never reaches site B's
blocks, and a read-only caller (viewer role, or a token without write scopes) is `forbidden` on every write."""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock
from tests.api.routes import block_routes, site_api_routes
from tests.conftest import client_with, issue_token

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string", "label": "Title"}]


def make_block(client, name: str) -> dict:
    response = client.post(
        "/api/v1/site-blocks", {"name": name, "type": "global", "schema": SCHEMA, "data": {"title": "t"}}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def state(slug: str) -> list[tuple]:
    rows = SiteBlock.objects.filter(slug=slug).order_by("pk")
    return list(rows.values_list("site__slug", "locale", "version", "status", "name", "data", "schema"))


def test_route_discovery_finds_the_block_endpoints():
    names = {route.name for route in site_api_routes()}
    assert {"site-blocks", "site-block", "site-block-data", "site-block-schema", "site-block-publish"} <= names
    assert len(block_routes()) >= 6


def test_site_a_token_gets_not_found_for_every_block_of_site_b(api, other_site):
    foreign = client_with(issue_token(other_site, username="bob", role="owner")[1])
    make_block(foreign, "Secret")
    foreign.post("/api/v1/site-blocks/secret/publish")
    before = state("secret")

    checked = 0
    for route in block_routes():
        for method in route.methods:
            url = route.url("secret")
            response = getattr(api, method)(url, {}, format="json")
            assert response.status_code == 404, (method, url, response.content[:300])
            assert response.json()["error"]["code"] == "not_found", (method, url)
            for query in ("locale=en", "locale=de"):
                response = getattr(api, method)(route.with_query(url, query), {}, format="json")
                assert response.status_code in (404, 400), (method, url, query)
            checked += 1
    assert checked >= 8
    assert state("secret") == before

    # The list never shows them, whatever the filters; creating the same slug in A is independent of B.
    for query in ("", "?search=secret", "?locale=de", "?status=published", "?perPage=100"):
        assert api.get(f"/api/v1/site-blocks{query}").json()["meta"]["total"] == 0, query
    mine = make_block(api, "Secret")
    assert mine["slug"] == "secret"
    assert state("secret")[0] == before[0]


@pytest.mark.parametrize(
    ("role", "scopes"),
    [("viewer", ("read", "write", "publish")), ("editor", ("read",)), ("owner", ("read",))],
)
def test_read_only_callers_are_forbidden_on_every_write(api, make_client, role, scopes):
    make_block(api, "Header")
    api.post("/api/v1/site-blocks/header/publish")
    before = state("header")
    reader = make_client(role=role, scopes=scopes)

    checked = 0
    for route in site_api_routes():
        for method in route.writes:
            url = route.url("header")
            for body in ({}, {"name": "X", "type": "global", "data": {"title": "x"}, "schema": SCHEMA}):
                response = getattr(reader, method)(url, body, format="json")
                assert response.status_code == 403, (method, url, response.content[:300])
                assert response.json()["error"]["code"] == "forbidden"
            checked += 1
        if "get" in route.methods and "slug" in route.arguments:
            assert reader.get(route.url("header")).status_code in (200, 404), route.name
    assert checked >= 7
    assert state("header") == before
    assert SiteBlock.objects.count() == 1

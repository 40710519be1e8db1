"""`GET /site-blocks/{slug}` fills `dataSource` fields from published blocks (docs/fields.md "dataSource")."""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "promo", "type": "dataSource", "source": "block", "params": {"slug": "promo"}},
    {"name": "pages", "type": "dataSource", "source": "blocks", "params": {"type": "page", "limit": 10}},
]


def make(api, **body):
    response = api.post("/api/v1/site-blocks", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def test_get_resolves_data_sources_from_published_blocks(api, django_assert_max_num_queries):
    make(api, name="Promo", type="global", schema=[{"name": "text", "type": "string"}], data={"text": "Sale"})
    make(api, name="About", type="page", path="/about", schema=[{"name": "h", "type": "string"}], data={"h": "Hi"})
    make(api, name="Draft page", type="page", path="/draft", schema=[], data={})
    make(api, name="Home", type="global", schema=SCHEMA, data={"title": "Welcome"})

    before = api.get("/api/v1/site-blocks/home").json()["data"]["data"]
    assert before == {"title": "Welcome", "promo": None, "pages": []}  # nothing is published yet

    assert api.post("/api/v1/site-blocks/promo/publish").status_code == 200
    assert api.post("/api/v1/site-blocks/about/publish").status_code == 200
    with django_assert_max_num_queries(8):  # bounded: the block, then one query per source
        response = api.get("/api/v1/site-blocks/home")
    data = response.json()["data"]["data"]
    assert data["title"] == "Welcome"
    assert data["promo"] == {"text": "Sale"}
    assert [page["slug"] for page in data["pages"]] == ["about"]  # the draft page is not listed
    assert data["pages"][0]["data"] == {"h": "Hi"}


def test_resolved_values_are_never_stored(api):
    make(api, name="Promo", type="global", schema=[{"name": "text", "type": "string"}], data={"text": "Sale"})
    api.post("/api/v1/site-blocks/promo/publish")
    make(api, name="Home", type="global", schema=SCHEMA, data={"title": "Welcome"})
    assert api.get("/api/v1/site-blocks/home").json()["data"]["data"]["promo"] == {"text": "Sale"}
    assert SiteBlock.objects.get(slug="home").data == {"title": "Welcome"}
    written = api.put("/api/v1/site-blocks/home/data", {"data": {"promo": {"text": "x"}}}, format="json")
    assert written.status_code == 422, written.json()
    assert written.json()["error"]["fields"] == {"data.promo": "read-only field"}


def test_a_registered_source_is_accepted_and_called_and_gone_once_unregistered(api, data_source):
    calls = []

    def weather(site, locale, params):
        calls.append((site.pk, locale, params))
        return {"sky": "clear", "city": params.get("city")}

    schema = [{"name": "weather", "type": "dataSource", "source": "weather", "params": {"city": "Oslo"}}]
    refused = api.post("/api/v1/site-blocks", {"name": "Sky", "type": "global", "schema": schema}, format="json")
    assert refused.status_code == 422, refused.json()
    assert refused.json()["error"]["fields"] == {"schema[0].source": "Unknown data source; one of block, blocks."}

    data_source("weather", weather)
    make(api, name="Sky", type="global", schema=schema, data={})
    assert api.get("/api/v1/site-blocks/sky").json()["data"]["data"] == {"weather": {"sky": "clear", "city": "Oslo"}}
    assert [(locale, params) for _, locale, params in calls] == [("en", {"city": "Oslo"})]

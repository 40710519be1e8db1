"""Issue 18, item 6: `meta.completion` of `GET /site-blocks/{slug}`, per copy and per locale, from the publish rule.

The required percentage comes from the publish rule itself, so a block is publishable (as far as missing
fields go) exactly when it reaches 100; query counts do not grow with the number of fields or copies.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

BLOCKS = "/api/v1/site-blocks"
SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "intro", "type": "text", "label": "Introduction"},
    {
        "name": "hero",
        "type": "object",
        "fields": [{"name": "lede", "type": "string", "required": True}, {"name": "caption", "type": "richtext"}],
    },
    {
        "name": "links",
        "type": "array",
        "items": {
            "type": "object",
            "fields": [{"name": "label", "type": "string", "required": True}, {"name": "url", "type": "url"}],
        },
    },
    {"name": "flag", "type": "boolean"},
]
DATA = {"title": "Hi", "intro": "   ", "links": [{"label": "A"}, {"url": "/x"}], "flag": False}
SEP = " \u203a "


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def place(path: str, *labels: str) -> dict:
    return {"path": path, "label": SEP.join(labels)}


@pytest.fixture
def promo(api):
    ok(api.post(BLOCKS, {"name": "Promo", "type": "global", "schema": SCHEMA, "data": DATA}, format="json"), 201)


def test_completion_counts_required_and_all_fields_with_their_labels(api, promo):
    own = ok(api.get(f"{BLOCKS}/promo"))["meta"]["completion"]
    assert own == {
        # title, links[0].label, links[1].label: the hero's `lede` is required only once there is a hero
        "required": {"filled": 2, "total": 3, "percent": 66},
        "all": {"filled": 6, "total": 10, "percent": 60},
        "missingRequired": [place("data.links[1].label", "Links", "2", "Label")],
        "missingOptional": [
            place("data.hero.lede", "Hero", "Lede"),
            place("data.hero.caption", "Hero", "Caption"),
            place("data.links[0].url", "Links", "1", "Url"),
        ],
        "warnings": [{**place("data.intro", "Introduction"), "message": "Only spaces: the value shows nothing."}],
    }
    every = ok(api.get(f"{BLOCKS}/promo?completionLocales=true"))["meta"]["completion"]
    assert every == {**own, "locales": {"en": own}}


def test_publishing_is_refused_until_required_completion_is_100(api, promo):
    refused = api.post(f"{BLOCKS}/promo/publish")
    assert refused.status_code == 422
    assert refused.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The block cannot be published until these fields are fixed.",
            "fields": {"data.links[1].label": "Must be present and non-empty."},
        }
    }
    links = [{"label": "A"}, {"label": "B", "url": "/x"}]
    ok(api.put(f"{BLOCKS}/promo/data", {"data": {"links": links, "hero": {"lede": ""}}}, format="json"))
    # An empty hero's required `lede` is now enforced (the hero is there), and the publish rule says so too.
    completion = ok(api.get(f"{BLOCKS}/promo"))["meta"]["completion"]
    assert completion["required"] == {"filled": 3, "total": 4, "percent": 75}
    assert completion["missingRequired"] == [place("data.hero.lede", "Hero", "Lede")]
    assert api.post(f"{BLOCKS}/promo/publish").json()["error"]["fields"] == {
        "data.hero.lede": "Must be present and non-empty."
    }
    ok(api.put(f"{BLOCKS}/promo/data", {"data": {"hero": {"lede": "Now"}}}, format="json"))
    completion = ok(api.get(f"{BLOCKS}/promo"))["meta"]["completion"]
    assert completion["required"] == {"filled": 4, "total": 4, "percent": 100}
    assert completion["missingRequired"] == []
    assert ok(api.post(f"{BLOCKS}/promo/publish"))["data"]["status"] == "published"


def test_each_locale_copy_has_its_completion(api, promo):
    ok(api.post(f"{BLOCKS}/promo/copy-to-locale", {"locale": "fr"}, format="json"))
    ok(api.put(f"{BLOCKS}/promo/data?locale=fr", {"data": {"title": None, "intro": "Bonjour"}}, format="json"))
    completion = ok(api.get(f"{BLOCKS}/promo?locale=fr&completionLocales=true"))["meta"]["completion"]
    assert list(completion["locales"]) == ["en", "fr"]
    french = completion["locales"]["fr"]
    assert french == {key: value for key, value in completion.items() if key != "locales"}
    assert french["required"] == {"filled": 1, "total": 3, "percent": 33}
    assert french["missingRequired"] == [
        place("data.title", "Title"),
        place("data.links[1].label", "Links", "2", "Label"),
    ]
    assert french["warnings"] == []
    assert completion["locales"]["en"]["required"]["percent"] == 66


def test_an_empty_schema_is_complete(api):
    ok(api.post(BLOCKS, {"name": "Empty", "type": "global"}, format="json"), 201)
    completion = ok(api.get(f"{BLOCKS}/empty"))["meta"]["completion"]
    assert completion["required"] == {"filled": 0, "total": 0, "percent": 100}
    assert completion["all"] == {"filled": 0, "total": 0, "percent": 100}


def test_completion_costs_no_query_per_field_or_copy(api):
    """Per copy from the row already read; every locale's with one query for the copies, whatever their size."""

    def count(slug: str, query: str = "") -> int:
        with CaptureQueriesContext(connection) as captured:
            ok(api.get(f"{BLOCKS}/{slug}{query}"))
        return len(captured)

    small = [{"name": "title", "type": "string", "required": True}]
    large = [{"name": f"f{i}", "type": "string", "required": i % 2 == 0} for i in range(80)]
    ok(api.post(BLOCKS, {"name": "Small", "type": "global", "schema": small}, format="json"), 201)
    ok(api.post(BLOCKS, {"name": "Large", "type": "global", "schema": large}, format="json"), 201)
    for locale in ("fr", "es"):
        ok(api.post(f"{BLOCKS}/large/copy-to-locale", {"locale": locale}, format="json"))
    count("small")  # the token's last use is written at most once a minute: warm it
    assert count("small") == count("large") == 2  # the token, the block: the completion costs no query
    every = "?completionLocales=true"
    assert count("small", every) == count("large", every) == 3  # and the block's copies, in one query
    assert len(ok(api.get(f"{BLOCKS}/large{every}"))["meta"]["completion"]["locales"]) == 3

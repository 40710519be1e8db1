"""Issue 14, item 3: values nested past 32 levels are refused with their path (data of any field, schema
defaults and data-source params); nothing deeper reaches the engine, the sanitiser or a renderer, so no
request ends in RecursionError or a 500, and whatever was accepted renders everywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from schema import MAX_DEPTH
from schema.limits import DEPTH_MESSAGE
from tests.editor.conftest import member
from tests.editor.helpers import post_change, post_schema
from tests.hostile.values import (
    BLOCKS,
    DELIVERY,
    create,
    footprint,
    fresh_delivery_cache,
    nest,
    nest_objects,
    refused,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures(fresh_delivery_cache.__name__)]

SCHEMA = [
    {"name": "list", "type": "array"},
    {"name": "title", "type": "string"},
    {"name": "obj", "type": "object", "fields": [{"name": "a", "type": "string"}]},
    {"name": "links", "type": "array", "items": {"type": "object", "fields": [{"name": "url", "type": "url"}]}},
]
DATA_MESSAGE = "The data did not validate."
#: a value nested `levels` deep in one field, and the path of the first container past the limit
DEEP_VALUES = {
    "free-form lists": (lambda n: {"list": nest(n)}, "data.list" + "[0]" * MAX_DEPTH),
    "free-form objects": (lambda n: {"list": [nest_objects(n - 1)]}, "data.list[0]" + ".a" * (MAX_DEPTH - 1)),
    "typed string": (lambda n: {"title": nest(n)}, "data.title" + "[0]" * MAX_DEPTH),
    "typed object": (lambda n: {"obj": nest_objects(n)}, "data.obj" + ".a" * MAX_DEPTH),
    "typed list of objects": (
        lambda n: {"links": [{"url": nest(n - 1)}]},
        "data.links[0].url" + "[0]" * (MAX_DEPTH - 2),
    ),
}


@pytest.fixture
def block(api):
    return create(api, SCHEMA, {"title": "t"})


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 300, 500])
def test_data_nested_past_the_limit_is_refused_with_its_path(api, block, levels):
    before = footprint()
    for make, path in DEEP_VALUES.values():
        response = api.put(f"{BLOCKS}/hero/data?publish=true", {"data": make(levels)}, format="json")
        refused(response, {path: DEPTH_MESSAGE}, DATA_MESSAGE)
    assert footprint() == before


def test_a_new_block_with_deep_data_is_refused(api):
    before = footprint()
    response = api.post(
        BLOCKS, {"name": "Hero", "type": "global", "schema": SCHEMA, "data": {"list": nest(500)}}, format="json"
    )
    refused(response, {"data.list" + "[0]" * MAX_DEPTH: DEPTH_MESSAGE}, "The request did not validate.")
    assert footprint() == before


def test_free_form_data_at_the_limit_is_stored_published_and_served(api, block):
    value = {"list": nest(MAX_DEPTH)}
    response = api.put(f"{BLOCKS}/hero/data?publish=true", {"data": value}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["data"]["data"]["list"] == nest(MAX_DEPTH)
    for url in (f"{BLOCKS}/hero", f"{BLOCKS}/hero/revisions", f"{DELIVERY}/blocks/hero", f"{DELIVERY}/blocks"):
        answer = api.get(url)
        assert answer.status_code == 200, (url, answer.content[:300])
    assert api.get(f"{DELIVERY}/blocks/hero").json()["data"]["data"]["list"] == nest(MAX_DEPTH)


#: where a deep value sits in a schema, and the path of the first container past the limit
SCHEMA_PLACES = {
    "default": (
        lambda v: [{"name": "l", "type": "array", "default": v}],
        "schema[0].default" + "[0]" * MAX_DEPTH,
    ),
    "nested default": (
        lambda v: [{"name": "o", "type": "object", "fields": [{"name": "l", "type": "array", "default": v}]}],
        "schema[0].fields[0].default" + "[0]" * MAX_DEPTH,
    ),
    "params": (
        lambda v: [{"name": "d", "type": "dataSource", "source": "blocks", "params": {"p": v}}],
        "schema[0].params.p" + "[0]" * (MAX_DEPTH - 1),
    ),
}


@pytest.mark.parametrize("place", sorted(SCHEMA_PLACES))
@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 300])
def test_schema_values_nested_past_the_limit_are_refused(api, block, place, levels):
    make, path = SCHEMA_PLACES[place]
    before = footprint()
    response = api.put(f"{BLOCKS}/hero/schema", {"schema": make(nest(levels))}, format="json")
    refused(response, {path: DEPTH_MESSAGE}, "The schema is not valid.")
    response = api.post(BLOCKS, {"name": "Other", "type": "global", "schema": make(nest(levels))}, format="json")
    refused(response, {path: DEPTH_MESSAGE}, "The request did not validate.")
    assert footprint() == before


def test_a_deep_value_under_an_unknown_key_is_refused_as_unknown(api, block):
    before = footprint()
    body = b'{"schema": [{"name": "s", "type": "string", "hint": ' + b"[" * 1_000 + b"]" * 1_000 + b"}]}"
    response = api.generic("PUT", f"{BLOCKS}/hero/schema", body, content_type="application/json")
    refused(response, {"schema[0].hint": "Unknown key."}, "The schema is not valid.")
    assert footprint() == before


def test_a_default_at_the_limit_is_stored_and_served(api, block):
    schema = [{"name": "l", "type": "array", "default": nest(MAX_DEPTH)}]
    response = api.put(f"{BLOCKS}/hero/schema", {"schema": schema}, format="json")
    assert response.status_code == 200, response.content[:300]
    served = api.get(f"{BLOCKS}/hero/json-schema")
    assert served.status_code == 200
    assert served.json()["data"]["properties"]["l"]["default"] == nest(MAX_DEPTH)


@pytest.mark.parametrize("levels", [1_000, 10_000, 100_000])
def test_a_body_nested_beyond_the_parser_is_a_clean_envelope(api, block, levels):
    """orjson parses up to 1,024 levels: deeper is 400 `bad_request`; up to it, the 32-level rule speaks."""
    body = b'{"data": {"list": ' + b"[" * levels + b"]" * levels + b"}}"
    before = footprint()
    response = api.generic("PUT", f"{BLOCKS}/hero/data", body, content_type="application/json")
    assert response["Content-Type"] == "application/json"
    if levels == 1_000:
        refused(response, {"data.list" + "[0]" * MAX_DEPTH: DEPTH_MESSAGE}, DATA_MESSAGE)
    else:
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "bad_request" and error["message"].startswith("The request body is not valid JSON")
    assert footprint() == before


def test_the_admin_refuses_deep_json_with_a_form_error(site, block):
    """The admin parses the schema box and free-form JSON boxes with the standard parser, which recurses."""
    client = Client()
    client.force_login(member(site, "owner-acme", "owner"))
    before = footprint()
    response = post_schema(client, block, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 200
    assert "nested too deep" in response.content.decode()
    for text, message in (
        ("[" * 50_000 + "]" * 50_000, "Not valid JSON: nested too deep."),
        ("[" * 40 + "]" * 40, DEPTH_MESSAGE),  # parsed, then refused by the service like an API write
    ):
        controls = [("d.list.__empty", ""), ("d.list.n0.kind", "json"), ("d.list.n0.json", text)]
        response = post_change(client, block, controls)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert footprint() == before

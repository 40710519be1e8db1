"""Compiled validators are cached per schema version: a second validation never recompiles.

The cache key is a hash of the schema's canonical (key-sorted) JSON, because PostgreSQL's jsonb stores
object keys in its own order: the schema read back from the database is equal but not identically ordered.
"""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock
from blocks.services.content import block_update_data
from blocks.services.crud import block_create
from schema import cache_info, check_schema, clear_cache, compiled_for, schema_key

SCHEMA = [
    {"name": "title", "type": "string", "required": True, "label": "Title"},
    {
        "name": "links",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "url", "type": "url"}, {"name": "label", "type": "string"}]},
    },
    {"name": "body", "type": "richtext"},
]


@pytest.fixture(autouse=True)
def empty_cache():
    clear_cache()
    yield
    clear_cache()


def reordered(value):
    """The same JSON with every object's keys in reverse order (what jsonb may hand back)."""
    if isinstance(value, dict):
        return {key: reordered(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reordered(item) for item in value]
    return value


def test_a_second_validation_compiles_nothing():
    compiled_for(SCHEMA).validate({"title": "x"})
    assert cache_info().compiles == 1
    for _ in range(3):
        assert compiled_for(SCHEMA).validate({"title": 1}) == {"data.title": "Must be a string."}
    info = cache_info()
    assert (info.compiles, info.misses, info.hits, info.size) == (1, 1, 3, 1)


def test_the_publish_level_compiles_once_on_first_use():
    compiled = compiled_for(SCHEMA)
    compiled.validate({})
    assert cache_info().compiles == 1
    assert compiled.validate({}, publish=True) == {"data.title": "Must be present and non-empty."}
    assert compiled_for(SCHEMA).validate({}, publish=True) == {"data.title": "Must be present and non-empty."}
    assert cache_info().compiles == 2


def test_key_order_inside_definitions_does_not_matter_but_field_order_does():
    assert schema_key(reordered(SCHEMA)) == schema_key(SCHEMA)
    assert compiled_for(reordered(SCHEMA)) is compiled_for(SCHEMA)
    assert cache_info().compiles == 1
    other = compiled_for(list(reversed(SCHEMA)))
    assert other is not compiled_for(SCHEMA)
    assert list(other.json_schema["properties"]) == ["body", "links", "title"]


def test_a_new_schema_version_compiles_anew():
    compiled_for(SCHEMA)
    changed = [*SCHEMA[:2], {"name": "body", "type": "text"}]
    assert compiled_for(changed).validate({"body": "<p>x</p>"}) == {}
    assert cache_info().compiles == 2


def test_the_cache_holds_its_own_copy():
    schema = [{"name": "title", "type": "string"}]
    compiled = compiled_for(schema)
    schema[0]["type"] = "number"  # a caller mutating its list must not change what was compiled
    assert compiled.validate({"title": "x"}) == {}
    assert compiled_for([{"name": "title", "type": "string"}]) is compiled


def test_blocks_read_back_from_the_database_reuse_the_compiled_schema(db, site, actor, on_postgres):
    block = block_create(actor=actor, name="Header", type="global", schema=check_schema(SCHEMA))
    compiles = cache_info().compiles
    for n in range(3):
        fresh = SiteBlock.objects.get(pk=block.pk)
        if on_postgres:  # the premise: jsonb hands the keys back in its own order
            assert list(fresh.schema[0]) != list(SCHEMA[0])
        block = block_update_data(actor=actor, block=fresh, data={"title": f"v{n}"}, expected_version=None)
    assert cache_info().compiles == compiles
    assert SiteBlock.objects.get(pk=block.pk).data == {"title": "v2"}


def test_the_api_serves_the_cached_json_schema(api):
    response = api.post("/api/v1/site-blocks", {"name": "Header", "type": "global", "schema": SCHEMA}, format="json")
    assert response.status_code == 201, response.content
    compiles = cache_info().compiles
    for _ in range(2):
        assert api.put("/api/v1/site-blocks/header/data", {"data": {"title": "T"}}, format="json").status_code == 200
        response = api.get("/api/v1/site-blocks/header/json-schema")
        assert response.status_code == 200
    assert response.json()["data"]["properties"]["title"]["x-cms"]["required"] is True
    assert cache_info().compiles == compiles

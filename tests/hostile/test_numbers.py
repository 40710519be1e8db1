"""Issue 14, item 2: numbers beyond 2^53 - 1 in magnitude are refused with their path wherever a number can
enter (typed fields, free-form values at any depth, schema options), and values stored before that rule
(PostgreSQL's jsonb hands `1e20` back as a 67-bit integer, which orjson refuses) render everywhere."""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.db import connection

from blocks.models import SiteBlock
from revisions.models import BlockRevision
from schema import MAX_SAFE_INTEGER, compiled_for
from schema.limits import NUMBER_MESSAGE
from tests.hostile.values import BLOCKS, DELIVERY, create, footprint, fresh_delivery_cache, refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures(fresh_delivery_cache.__name__)]

SAFE = MAX_SAFE_INTEGER  # 9007199254740991
GOOD_NUMBERS = [SAFE, -SAFE, 0, 1.5, -0.25, float(SAFE), 1e15, 5e-324]
BAD_NUMBERS = [SAFE + 1, -(SAFE + 1), 2**63, -(2**63) - 1, 2**64, 10**20, 1e20, 2e19, 1e308, -1e308, float(SAFE + 1)]
DATA_MESSAGE = "The data did not validate."
SCHEMA_MESSAGE = "The schema is not valid."

SCHEMA = [
    {"name": "n", "type": "number"},
    {"name": "list", "type": "array"},
    {"name": "obj", "type": "object", "fields": [{"name": "m", "type": "number"}]},
    {"name": "rows", "type": "array", "items": {"type": "object", "fields": [{"name": "k", "type": "number"}]}},
]
#: where a number goes in a data patch, and the path the refusal names
DATA_PLACES = {
    "typed": (lambda v: {"n": v}, "data.n"),
    "free-form item": (lambda v: {"list": [1, v]}, "data.list[1]"),
    "free-form deep": (lambda v: {"list": [{"a": [[{"b": v}]]}]}, "data.list[0].a[0][0].b"),
    "typed in object": (lambda v: {"obj": {"m": v}}, "data.obj.m"),
    "typed in list of objects": (lambda v: {"rows": [{"k": 1}, {"k": v}]}, "data.rows[1].k"),
}


@pytest.fixture
def block(api):
    return create(api, SCHEMA, {"n": 1})


@pytest.mark.parametrize("number", BAD_NUMBERS, ids=repr)
def test_a_number_too_large_is_refused_in_data_with_its_path(api, block, number):
    before = footprint()
    for make, path in DATA_PLACES.values():
        response = api.put(f"{BLOCKS}/hero/data?publish=true", {"data": make(number)}, format="json")
        refused(response, {path: NUMBER_MESSAGE}, DATA_MESSAGE)
    response = api.put(f"{BLOCKS}/hero/data", {"data": {"n": number, "list": [number]}}, format="json")
    refused(response, {"data.n": NUMBER_MESSAGE, "data.list[0]": NUMBER_MESSAGE}, DATA_MESSAGE)
    assert footprint() == before


@pytest.mark.parametrize("number", GOOD_NUMBERS, ids=repr)
def test_numbers_within_the_limit_are_stored_and_served(api, block, fresh_delivery_cache, number):
    for make, _ in DATA_PLACES.values():
        response = api.put(f"{BLOCKS}/hero/data?publish=true", {"data": make(number)}, format="json")
        assert response.status_code == 200, response.content
        data = response.json()["data"]["data"]
        assert data == data | make(number)
        fresh_delivery_cache()  # the write's after-commit invalidation does not run inside a test's transaction
        delivered = api.get(f"{DELIVERY}/blocks/hero")
        assert delivered.status_code == 200
        assert delivered.json()["data"]["data"] == data


@pytest.mark.parametrize("number", [SAFE + 1, 1e20, -1e308], ids=repr)
def test_a_number_too_large_is_refused_when_a_block_is_created(api, number):
    before = footprint()
    response = api.post(
        BLOCKS, {"name": "Hero", "type": "global", "schema": SCHEMA, "data": {"list": [[number]]}}, format="json"
    )
    refused(response, {"data.list[0][0]": NUMBER_MESSAGE}, "The request did not validate.")
    assert footprint() == before


#: schema options a number can sit in, and the path the refusal names
SCHEMA_PLACES = {
    "max": (lambda v: [{"name": "n", "type": "number", "max": v}], "schema[0].max"),
    "min": (lambda v: [{"name": "n", "type": "number", "min": v}], "schema[0].min"),
    "step": (lambda v: [{"name": "n", "type": "number", "step": v}], "schema[0].step"),
    "default": (lambda v: [{"name": "n", "type": "number", "default": v}], "schema[0].default"),
    "default of a list": (
        lambda v: [{"name": "l", "type": "array", "default": [1, {"x": v}]}],
        "schema[0].default[1].x",
    ),
    "params": (
        lambda v: [{"name": "d", "type": "dataSource", "source": "blocks", "params": {"limit": [v]}}],
        "schema[0].params.limit[0]",
    ),
    "maxLength": (lambda v: [{"name": "s", "type": "string", "maxLength": v}], "schema[0].maxLength"),
    "nested max": (
        lambda v: [{"name": "o", "type": "object", "fields": [{"name": "n", "type": "number", "max": v}]}],
        "schema[0].fields[0].max",
    ),
    "array items option": (
        lambda v: [{"name": "l", "type": "array", "items": {"type": "number", "min": v}}],
        "schema[0].items.min",
    ),
}


@pytest.mark.parametrize("number", [SAFE + 1, -(SAFE + 1), 1e20, 1e308, -(2**63) - 1], ids=repr)
def test_a_number_too_large_is_refused_in_schema_options(api, block, number):
    before = footprint()
    for make, path in SCHEMA_PLACES.values():
        response = api.put(f"{BLOCKS}/hero/schema", {"schema": make(number)}, format="json")
        refused(response, {path: NUMBER_MESSAGE}, SCHEMA_MESSAGE)
        response = api.post(BLOCKS, {"name": "Other", "type": "global", "schema": make(number)}, format="json")
        refused(response, {path: NUMBER_MESSAGE}, "The request did not validate.")
    assert footprint() == before


@pytest.mark.parametrize("number", [SAFE, -SAFE, 0.5])
def test_schema_options_at_the_limit_are_accepted(api, block, number):
    schema = [{"name": "n", "type": "number", "min": -SAFE, "max": SAFE, "default": number}]
    response = api.put(f"{BLOCKS}/hero/schema", {"schema": schema}, format="json")
    assert response.status_code == 200, response.content
    assert api.get(f"{BLOCKS}/hero/json-schema").json()["data"]["properties"]["n"]["default"] == number


def test_the_served_json_schema_bounds_number_fields_like_the_server():
    compiled = compiled_for([{"name": "n", "type": "number"}, {"name": "i", "type": "number", "integer": True}])
    served = jsonschema.Draft202012Validator(compiled.json_schema)
    for name in ("n", "i"):
        assert compiled.json_schema["properties"][name]["minimum"] == -SAFE
        assert compiled.json_schema["properties"][name]["maximum"] == SAFE
        for number in BAD_NUMBERS:
            assert not served.is_valid({name: number}) and compiled.validate({name: number}), number
        for number in (SAFE, -SAFE, 0):
            assert served.is_valid({name: number}) and compiled.validate({name: number}) == {}, number


# -- values stored before the rule -----------------------------------------------------------------------------
def _store_old_values(block: SiteBlock, big: int | float) -> None:
    """What a probe of the old code left behind: a huge number in the working copy, the published snapshot,
    a stored change list and a revision's recorded state (written around the services, as old rows are)."""
    data = {**block.data, "n": big, "list": [big, {"deep": [big]}]}
    SiteBlock.objects.filter(pk=block.pk).update(
        data=data, published_snapshot={"schema": block.schema, "data": data}, status="published", published_version=1
    )
    revision = BlockRevision.objects.filter(block=block).order_by("number").last()
    assert revision is not None
    BlockRevision.objects.filter(pk=revision.pk).update(changes=[{"field": "data.n", "from": 1, "to": big}])
    version = revision.revision.version_set.get()
    serialized = json.loads(version.serialized_data)
    serialized[0]["fields"]["data"] = data
    version.serialized_data = json.dumps(serialized)
    version.save(update_fields=["serialized_data"])


def _every_reader_answers(api, block: SiteBlock) -> None:
    first = BlockRevision.objects.filter(block=block).order_by("number").first()
    last = BlockRevision.objects.filter(block=block).order_by("number").last()
    assert first is not None and last is not None
    reads = [
        f"{BLOCKS}/hero",
        f"{BLOCKS}",
        f"{BLOCKS}/hero/revisions",
        f"{BLOCKS}/hero/revisions/{last.number}",
        f"{BLOCKS}/hero/revisions/compare?from={first.number}&to={last.number}",
        f"{DELIVERY}/blocks/hero",
        f"{DELIVERY}/blocks",
        f"{BLOCKS}/hero/translations",
    ]
    for url in reads:
        response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert response["Content-Type"] == "application/json"
    # The big number comes back as a number (the JavaScript reader gets the nearest double, as it would).
    assert api.get(f"{DELIVERY}/blocks/hero").json()["data"]["data"]["n"] == pytest.approx(1e20)
    # Publishing again names the typed field past its bound (the compiled schema carries it), as a 422.
    refused(
        api.post(f"{BLOCKS}/hero/publish", format="json"),
        {"data.n": f"Must be at most {SAFE}."},
        "The block cannot be published until these fields are fixed.",
    )
    response = api.patch(f"{BLOCKS}/hero", {"name": "Hero 2"}, format="json")
    assert response.status_code == 200, response.content[:300]
    for write in ("unpublish", "publish"):  # the answers hold the old free-form numbers
        if write == "publish":
            assert api.put(f"{BLOCKS}/hero/data", {"data": {"n": 1}}, format="json").status_code == 200
        response = api.post(f"{BLOCKS}/hero/{write}", format="json")
        assert response.status_code == 200, (write, response.content[:300])
        assert response.json()["data"]["data"]["list"][0] == pytest.approx(1e20)
    for url in (f"{BLOCKS}/hero/revisions", f"{DELIVERY}/blocks"):
        assert api.get(url).status_code == 200, url


def test_a_huge_integer_stored_before_the_rule_renders_everywhere(api, block):
    """The integer orjson refuses (> 64 bits), as jsonb gives `1e20` back; the JSON column holds it on SQLite too."""
    _store_old_values(block, 10**20)
    _every_reader_answers(api, block)


OLD_JSONB = '{"n": 1e20, "list": [1e20, {"deep": [1e20]}]}'


@pytest.mark.postgres
def test_jsonb_one_e_twenty_stored_before_the_rule_renders_everywhere(api, block):
    """The probe's case exactly: `1e20` written by the old code is read back from jsonb as an integer."""
    _store_old_values(block, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE blocks_siteblock SET data = data || %s::jsonb,"
            " published_snapshot = jsonb_set(published_snapshot, '{data}', published_snapshot->'data' || %s::jsonb)"
            " WHERE id = %s",
            [OLD_JSONB, OLD_JSONB, block.pk],
        )
        cursor.execute(
            'UPDATE revisions_blockrevision SET changes = \'[{"field": "data.n", "from": 1, "to": 1e20}]\'::jsonb'
            " WHERE block_id = %s",
            [block.pk],
        )
    block.refresh_from_db()
    assert block.data["n"] == 10**20 and isinstance(block.data["n"], int)  # what made orjson fail
    _every_reader_answers(api, block)


def test_restoring_a_revision_with_a_huge_number_is_refused(api, block):
    _store_old_values(block, 10**20)
    revision = BlockRevision.objects.filter(block=block).order_by("number").last()
    assert revision is not None
    SiteBlock.objects.filter(pk=block.pk).update(data={"n": 1})
    before = footprint()
    response = api.post(f"{BLOCKS}/hero/revisions/{revision.number}/restore", format="json")
    refused(
        response,
        {"data.n": NUMBER_MESSAGE, "data.list[0]": NUMBER_MESSAGE, "data.list[1].deep[0]": NUMBER_MESSAGE},
        f"Revision {revision.number}'s data is outside today's limits; it cannot be restored.",
    )
    assert footprint() == before

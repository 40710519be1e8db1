"""Issue 18: the pieces of a schema change, below HTTP: ids (`schema.identity`), the conversions and orphans of
`schema.evolution.migrate`, and the migration that gives stored schemas their ids."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from blocks.models import SiteBlock
from schema import check_schema
from schema.evolution import migrate
from tests.ids import without_ids


def ids(schema):
    return {f["name"]: f["id"] for f in schema}


@pytest.mark.parametrize(
    ("before", "after", "value", "expected"),
    [
        ({"type": "string"}, {"type": "text"}, "a", "a"),
        ({"type": "text"}, {"type": "string"}, "a", "a"),
        ({"type": "text"}, {"type": "richtext"}, "<b>a</b><script>x</script>", "<b>a</b>"),
        ({"type": "number"}, {"type": "string"}, 2.5, "2.5"),
        ({"type": "number"}, {"type": "string"}, 3.0, "3"),
        ({"type": "string"}, {"type": "number"}, " 42 ", 42),
        ({"type": "string"}, {"type": "number"}, "1e3", 1000),
        ({"type": "select", "options": ["a", "b"]}, {"type": "multiselect", "options": ["a", "b"]}, "a", ["a"]),
        ({"type": "string"}, {"type": "array", "items": {"type": "string"}}, "a", ["a"]),
        ({"type": "url"}, {"type": "string"}, "/blog", "/blog"),
        ({"type": "string"}, {"type": "url"}, "https://example.com/", "https://example.com/"),
        ({"type": "date"}, {"type": "datetime"}, "2026-01-02", "2026-01-02T00:00:00Z"),
    ],
)
def test_defined_conversions(before, after, value, expected):
    old = check_schema([{"name": "f", **before}])
    new = check_schema([{"name": "f", **after}], previous=old)
    result = migrate(old, new, {"f": value})
    assert result.data == {"f": expected}
    assert result.orphaned == [] and result.failed == []


@pytest.mark.parametrize(
    ("before", "after", "value", "reason"),
    [
        ({"type": "string"}, {"type": "number"}, "abc", "'abc' is not a number."),
        ({"type": "string"}, {"type": "number"}, "nan", "'nan' is not a number."),
        (
            {"type": "richtext"},
            {"type": "text"},
            "<b>a</b>",
            "Rich text does not become plain text: its markup would be lost.",
        ),
        ({"type": "boolean"}, {"type": "string"}, True, "No conversion from boolean to string."),
        (
            {"type": "string"},
            {"type": "string", "maxLength": 3},
            "abcd",
            "Not valid as string: Must be at most 3 characters long.",
        ),
        (
            {"type": "string"},
            {"type": "select", "options": ["a"]},
            "b",
            "Not valid as select: Must be one of the options: a.",
        ),
    ],
)
def test_values_that_cannot_convert_are_kept_as_orphans_with_the_reason(before, after, value, reason):
    old = check_schema([{"name": "f", **before}])
    new = check_schema([{"name": "f", **after}], previous=old)
    result = migrate(old, new, {"f": value})
    assert result.data == {"f~2": value}
    assert result.orphaned == [{"path": "f", "keptAs": "f~2", "reason": reason}]
    assert [entry["reason"] for entry in result.failed] == [reason]


def test_moving_a_field_out_of_a_list_keeps_each_item_value_as_an_orphan():
    old = check_schema(
        [{"name": "links", "type": "array", "items": {"type": "object", "fields": [{"name": "t", "type": "string"}]}}]
    )
    inner = old[0]["items"]["fields"][0]["id"]
    new = check_schema(
        [
            {"id": old[0]["id"], "name": "links", "type": "array", "items": {"type": "object", "fields": []}},
            {"id": inner, "name": "t", "type": "string"},
        ]
    )
    result = migrate(old, new, {"links": [{"t": "a"}, {"t": "b"}]})
    assert result.data == {"links": [{}, {}], "links[0].t": "a", "links[1].t": "b"}
    assert [o["path"] for o in result.orphaned] == ["links[0].t", "links[1].t"]


def test_a_removed_object_is_kept_whole_and_earlier_orphans_stay():
    old = check_schema([{"name": "hero", "type": "object", "fields": [{"name": "t", "type": "string"}]}])
    new = check_schema([{"name": "title", "type": "string"}], previous=old)
    result = migrate(old, new, {"hero": {"t": "x"}, "old": 1})
    assert result.data == {"hero": {"t": "x"}, "old": 1}
    assert result.orphaned == [{"path": "hero", "keptAs": "hero", "reason": "The field was removed from the schema."}]


def test_a_container_holding_no_container_is_kept_not_dropped():
    old = check_schema([{"name": "hero", "type": "object", "fields": [{"name": "t", "type": "string"}]}])
    new = check_schema([{"name": "hero", "type": "object", "fields": [{"name": "u", "type": "string"}]}], previous=old)
    result = migrate(old, new, {"hero": "oops"})
    assert result.data == {"hero~2": "oops"}
    assert [o["reason"] for o in result.orphaned] == [
        "The value was not the object or list its field holds, so it cannot follow the field."
    ]


def test_ids_are_kept_by_name_at_the_same_place_and_unique():
    old = check_schema(
        [{"name": "a", "type": "string"}, {"name": "o", "type": "object", "fields": [{"name": "a", "type": "string"}]}]
    )
    new = check_schema(
        [{"name": "o", "type": "object", "fields": [{"name": "a", "type": "string"}]}, {"name": "a", "type": "text"}],
        previous=old,
    )
    assert new[1]["id"] == old[0]["id"] and new[0]["id"] == old[1]["id"]
    assert new[0]["fields"][0]["id"] == old[1]["fields"][0]["id"]


@pytest.mark.django_db
def test_the_migration_gives_a_translation_group_the_same_ids(site):
    schema = [
        {"name": "title", "type": "string"},
        {"name": "o", "type": "object", "fields": [{"name": "t", "type": "string"}]},
    ]
    snapshot = {"schema": schema, "data": {"title": "x"}}
    en = SiteBlock.objects.create(
        site=site, locale="en", name="A", slug="a", type="global", schema=schema, published_snapshot=snapshot
    )
    fr = SiteBlock.objects.create(
        site=site, locale="fr", name="A", slug="a", type="global", schema=schema, translation_key=en.translation_key
    )
    migration = importlib.import_module("blocks.migrations.0006_field_ids")
    migration.assign_ids(django_apps, None)
    en.refresh_from_db()
    fr.refresh_from_db()
    assert without_ids(en.schema) == schema and en.schema == fr.schema
    assert len({en.schema[0]["id"], en.schema[1]["id"], en.schema[1]["fields"][0]["id"]}) == 3
    assert en.published_snapshot == snapshot  # the live answer is left as it is

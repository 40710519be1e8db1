"""Schema checks (docs/fields.md "A field definition", "Nesting and limits"): every problem reported at once,
each at its path."""

from __future__ import annotations

import pytest

from cms.errors import ValidationFailed
from schema import MAX_FIELDS, MAX_LEVELS, check_schema


def problems(schema) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        check_schema(schema)
    return caught.value.fields


def flat(count: int) -> list[dict]:
    return [{"name": f"f{i}", "type": "string"} for i in range(count)]


def nested_objects(levels: int, leaf: dict | None = None) -> list[dict]:
    """A schema whose deepest `fields` list is at level `levels` (the top list is level 1)."""
    fields = [leaf or {"name": "leaf", "type": "string"}]
    for level in range(levels - 1, 0, -1):
        fields = [{"name": f"o{level}", "type": "object", "fields": fields}]
    return fields


def nested_lists(levels: int) -> list[dict]:
    """The same depth reached through arrays of objects (the repeaters of the benchmark)."""
    fields = [{"name": "leaf", "type": "string"}]
    for level in range(levels - 1, 0, -1):
        fields = [{"name": f"r{level}", "type": "array", "items": {"type": "object", "fields": fields}}]
    return fields


# -- the limits ------------------------------------------------------------------------------------------------
def test_250_fields_in_one_list_are_accepted_at_every_level():
    assert MAX_FIELDS == 250
    check_schema(flat(250))
    check_schema([{"name": "o", "type": "object", "fields": flat(250)}])


def test_251_fields_in_one_list_are_rejected_with_the_list_path():
    assert problems(flat(251)) == {"schema": "At most 250 fields in one list (this one has 251)."}
    nested = [
        {"name": "a", "type": "string"},
        {"name": "o", "type": "array", "items": {"type": "object", "fields": flat(251)}},
    ]
    assert problems(nested) == {"schema[1].items.fields": "At most 250 fields in one list (this one has 251)."}


@pytest.mark.parametrize("build", [nested_objects, nested_lists])
def test_five_levels_are_accepted(build):
    assert MAX_LEVELS == 5
    check_schema(build(5))


def test_a_sixth_level_of_objects_is_rejected_at_its_path():
    errors = problems(nested_objects(6))
    assert list(errors) == ["schema[0].fields[0].fields[0].fields[0].fields[0].fields"]
    assert errors["schema[0].fields[0].fields[0].fields[0].fields[0].fields"].startswith(
        "Too deep: at most 5 nesting levels"
    )


def test_a_sixth_level_of_lists_of_objects_is_rejected_at_its_path():
    errors = problems(nested_lists(6))
    assert list(errors) == ["schema[0].items.fields[0].items.fields[0].items.fields[0].items.fields[0].items.fields"]


def test_a_level_five_field_cannot_be_a_list_of_lists():
    leaf = {"name": "grid", "type": "array", "items": {"type": "array", "items": {"type": "string"}}}
    errors = problems(nested_objects(5, leaf))
    assert list(errors) == ["schema[0].fields[0].fields[0].fields[0].fields[0].items"]
    check_schema(nested_objects(4, leaf))
    leaf_list = {"name": "tags", "type": "array", "items": {"type": "string"}}
    check_schema(nested_objects(5, leaf_list))


# -- unknown types and options ---------------------------------------------------------------------------------
def test_unknown_type_is_rejected_with_its_path():
    errors = problems([{"name": "ok", "type": "string"}, {"name": "x", "type": "strin"}])
    assert list(errors) == ["schema[1].type"]
    assert errors["schema[1].type"].startswith("Unknown type 'strin'; one of array, boolean, color")


def test_missing_or_non_string_type():
    errors = problems([{"name": "x"}, {"name": "y", "type": 3}])
    assert set(errors) == {"schema[0].type", "schema[1].type"}


def test_unknown_option_is_rejected_with_its_path_even_deep_down():
    schema = [
        {"name": "title", "type": "string", "maxLen": 3},
        {"name": "o", "type": "object", "fields": [{"name": "n", "type": "number", "minLength": 1}]},
        {"name": "l", "type": "array", "items": {"type": "url", "allowRelativ": True}},
    ]
    assert problems(schema) == {
        "schema[0].maxLen": "Unknown key.",
        "schema[1].fields[0].minLength": "Unknown key.",
        "schema[2].items.allowRelativ": "Unknown key.",
    }


def test_items_refuse_field_only_keys_and_data_sources():
    schema = [
        {"name": "a", "type": "array", "items": {"type": "string", "name": "x", "required": True}},
        {"name": "b", "type": "array", "items": {"type": "dataSource", "source": "blocks"}},
        {"name": "c", "type": "array", "items": "string"},
    ]
    assert problems(schema) == {
        "schema[0].items.name": "Not allowed in `items` (a definition without a name).",
        "schema[0].items.required": "Not allowed in `items` (a definition without a name).",
        "schema[1].items.type": "A list cannot hold dataSource items.",
        "schema[2].items": "Must be an object (a field definition).",
    }


# -- names and the generic keys --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "1abc", "_a", "a-b", "a b", "é", "a" * 65, 3, None])
def test_bad_names(name):
    assert list(problems([{"name": name, "type": "string"}])) == ["schema[0].name"]


def test_good_names():
    check_schema([{"name": n, "type": "string"} for n in ("a", "A1", "nav_links", "x" * 64)])


def test_duplicate_names_per_level_but_not_across_levels():
    schema = [
        {"name": "a", "type": "string"},
        {"name": "o", "type": "object", "fields": [{"name": "a", "type": "string"}, {"name": "a", "type": "text"}]},
        {"name": "a", "type": "number"},
    ]
    assert problems(schema) == {
        "schema[1].fields[1].name": "Duplicate name 'a': names must be unique in one list.",
        "schema[2].name": "Duplicate name 'a': names must be unique in one list.",
    }


def test_generic_keys_are_type_checked():
    schema = [{"name": "a", "type": "string", "required": "yes", "localized": 1, "label": 5, "help": ["x"]}]
    assert set(problems(schema)) == {
        "schema[0].required",
        "schema[0].localized",
        "schema[0].label",
        "schema[0].help",
    }


def test_schema_must_be_a_list_of_objects():
    assert problems({"name": "a"}) == {"schema": "Must be a list of field definitions."}
    assert problems(["a"]) == {"schema[0]": "Must be an object (a field definition)."}


# -- each type's options ---------------------------------------------------------------------------------------
OPTION_ERRORS = [
    ({"type": "string", "maxLength": 10_001}, "maxLength"),
    ({"type": "string", "minLength": 5, "maxLength": 4}, "maxLength"),
    ({"type": "string", "pattern": "(unclosed"}, "pattern"),
    ({"type": "text", "maxLength": 50_001}, "maxLength"),
    ({"type": "text", "minLength": -1}, "minLength"),
    ({"type": "richtext", "maxLength": 200_001}, "maxLength"),
    ({"type": "richtext", "minLength": 1}, "minLength"),
    ({"type": "number", "min": "0"}, "min"),
    ({"type": "number", "min": 5, "max": 1}, "max"),
    ({"type": "number", "step": 0}, "step"),
    ({"type": "number", "integer": "yes"}, "integer"),
    ({"type": "boolean", "options": ["a"]}, "options"),
    ({"type": "select"}, "options"),
    ({"type": "select", "options": []}, "options"),
    ({"type": "select", "options": ["a", "a"]}, "options[1]"),
    ({"type": "select", "options": [{"label": "A"}]}, "options[0].value"),
    ({"type": "multiselect", "options": ["a"], "maxItems": 2}, "maxItems"),
    ({"type": "image", "requireAlt": "yes"}, "requireAlt"),
    ({"type": "file", "accept": ["pdf"]}, "accept[0]"),
    ({"type": "file", "maxSize": 0}, "maxSize"),
    ({"type": "url", "schemes": ["https", "javascript"]}, "schemes[1]"),
    ({"type": "url", "allowRelative": "no"}, "allowRelative"),
    ({"type": "email", "pattern": "x"}, "pattern"),
    ({"type": "date", "min": "2020-13-01"}, "min"),
    ({"type": "date", "min": "2020-02-01", "max": "2020-01-01"}, "max"),
    ({"type": "datetime", "max": "2020-01-01"}, "max"),
    ({"type": "color", "alpha": 1}, "alpha"),
    ({"type": "object"}, "fields"),
    ({"type": "object", "fields": {}}, "fields"),
    ({"type": "array", "maxItems": 1001}, "maxItems"),
    ({"type": "dataSource"}, "source"),
    ({"type": "dataSource", "source": "nope"}, "source"),
    ({"type": "dataSource", "source": "blocks", "params": []}, "params"),
]


@pytest.mark.parametrize(("definition", "key"), OPTION_ERRORS, ids=[f"{d['type']}-{k}" for d, k in OPTION_ERRORS])
def test_bad_options_are_rejected_at_their_key(definition, key):
    assert list(problems([{"name": "ok", "type": "string"}, {"name": "f", **definition}])) == [f"schema[1].{key}"]


def test_defaults_must_be_valid_for_their_field():
    schema = [
        {"name": "n", "type": "number", "max": 3, "default": 4},
        {"name": "u", "type": "url", "default": "/ok"},
        {"name": "l", "type": "array", "items": {"type": "url"}, "default": ["/", "nope"]},
        {"name": "d", "type": "dataSource", "source": "blocks", "default": []},
    ]
    assert problems(schema) == {
        "schema[0].default": "Must be at most 3.",
        "schema[2].default[1]": "Must be an http(s) URL or a path starting with /.",
        "schema[3].default": "A dataSource field has no default: it is filled when the block is read.",
    }


def test_every_problem_is_reported_at_once():
    schema = [*flat(3), {"name": "f1", "type": "nope", "x": 1}, {"type": "string"}]
    assert set(problems(schema)) == {"schema[3].name", "schema[3].type", "schema[3].x", "schema[4].name"}

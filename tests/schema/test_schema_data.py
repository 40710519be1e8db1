"""Validating and writing data (docs/fields.md "Writing data", "Required fields"): draft and publish levels, the
top-level merge, `null` removal, orphaned fields and richtext sanitising."""

from __future__ import annotations

import pytest

from cms.errors import ValidationFailed
from schema import check_schema, compiled_for

REQ = "Must be present and non-empty."

SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "intro", "type": "text", "required": True},
    {"name": "body", "type": "richtext", "required": True},
    {"name": "tags", "type": "multiselect", "options": ["a", "b"], "required": True},
    {
        "name": "links",
        "type": "array",
        "required": True,
        "items": {
            "type": "object",
            "fields": [{"name": "label", "type": "string", "required": True}, {"name": "url", "type": "url"}],
        },
    },
    {"name": "seo", "type": "object", "required": True, "fields": [{"name": "description", "type": "text"}]},
    {"name": "featured", "type": "boolean", "required": True},
    {"name": "count", "type": "number", "required": True},
    {"name": "hero", "type": "image", "required": True},
    {"name": "optional", "type": "string"},
    {"name": "latest", "type": "dataSource", "source": "blocks", "required": True},
]
COMPLETE = {
    "title": "Hello",
    "intro": "Intro",
    "body": "<p>Body</p>",
    "tags": ["a"],
    "links": [{"label": "Home", "url": "/"}],
    "seo": {"description": "d"},
    "featured": False,
    "count": 0,
    "hero": {"url": "/hero.jpg"},
}


@pytest.fixture
def compiled():
    return compiled_for(check_schema(SCHEMA))


# -- draft and publish -----------------------------------------------------------------------------------------
def test_drafts_may_leave_required_fields_empty_or_out(compiled):
    assert compiled.validate({}) == {}
    assert compiled.validate({"title": "", "tags": [], "links": [{}], "seo": {}, "body": ""}) == {}


def test_publish_needs_every_required_field_present(compiled):
    assert compiled.validate({}, publish=True) == {
        f"data.{name}": REQ for name in ("title", "intro", "body", "tags", "links", "seo", "featured", "count", "hero")
    }


def test_publish_needs_required_fields_non_empty(compiled):
    empty = {**COMPLETE, "title": "", "intro": "", "body": "", "tags": [], "links": [], "seo": {}}
    assert compiled.validate(empty, publish=True) == {
        f"data.{name}": REQ for name in ("title", "intro", "body", "tags", "links", "seo")
    }


def test_false_and_zero_count_as_present(compiled):
    assert compiled.validate(COMPLETE, publish=True) == {}


def test_publish_checks_required_fields_inside_lists(compiled):
    data = {**COMPLETE, "links": [{"label": "Home"}, {"url": "/x"}, {"label": ""}]}
    assert compiled.validate(data) == {}
    assert compiled.validate(data, publish=True) == {"data.links[1].label": REQ, "data.links[2].label": REQ}


def test_publish_also_revalidates_types(compiled):
    data = {**COMPLETE, "count": "3", "links": [{"label": "x", "url": "nope"}]}
    assert compiled.validate(data, publish=True) == {
        "data.count": "Must be a number.",
        "data.links[0].url": "Must be an http(s) URL or a path starting with /.",
    }


def test_the_two_levels_are_two_json_schemas(compiled):
    assert "required" not in compiled.json_schema
    assert compiled.publish_json_schema["required"] == [
        "title",
        "intro",
        "body",
        "tags",
        "links",
        "seo",
        "featured",
        "count",
        "hero",
    ]
    assert compiled.json_schema["properties"]["title"]["x-cms"] == {
        "type": "string",
        "localized": True,
        "required": True,
    }


# -- the merge -------------------------------------------------------------------------------------------------
def test_keys_not_sent_are_kept_and_sent_ones_replaced_whole(compiled):
    current = {"title": "Old", "links": [{"label": "A", "url": "/a"}, {"label": "B"}], "seo": {"description": "x"}}
    new = compiled.apply_patch(current, {"links": [{"label": "C"}], "seo": {}})
    assert new == {"title": "Old", "links": [{"label": "C"}], "seo": {}}
    assert current["links"][1] == {"label": "B"}  # the stored copy is never changed


def test_null_removes_a_key_and_null_for_an_absent_key_is_harmless(compiled):
    new = compiled.apply_patch({"title": "Old", "intro": "x"}, {"title": None, "optional": None})
    assert new == {"intro": "x"}


def test_null_inside_a_value_is_not_a_removal(compiled):
    with pytest.raises(ValidationFailed) as caught:
        compiled.apply_patch({}, {"seo": {"description": None}, "links": [None]})
    assert caught.value.fields == {"data.seo.description": "Must be a string.", "data.links[0]": "Must be an object."}


def test_the_merged_document_is_validated_and_every_error_reported(compiled):
    with pytest.raises(ValidationFailed) as caught:
        compiled.apply_patch({"title": "ok"}, {"title": 1, "tags": ["z", "a", "a"], "nope": 1, "latest": None})
    assert caught.value.fields == {
        "data.title": "Must be a string.",
        "data.tags": "Must not contain duplicates.",
        "data.tags[0]": "Must be one of the options: a, b.",
        "data.nope": "unknown field",
        "data.latest": "read-only field",
    }


def test_unknown_keys_deep_down_are_errors_not_orphans(compiled):
    assert compiled.validate({"seo": {"keywords": "x"}, "links": [{"label": "x", "rel": "me"}]}) == {
        "data.seo.keywords": "unknown field",
        "data.links[0].rel": "unknown field",
    }


# -- orphaned fields -------------------------------------------------------------------------------------------
def test_orphans_are_kept_listed_not_validated_and_removable():
    old = compiled_for(check_schema([{"name": "title", "type": "string"}, {"name": "subtitle", "type": "number"}]))
    data = old.apply_patch({}, {"title": "T", "subtitle": 3})
    new = compiled_for(check_schema([{"name": "title", "type": "string"}]))  # the schema dropped `subtitle`
    assert new.orphaned_fields(data) == ["subtitle"]
    assert new.validate(data) == {}
    assert new.validate(data, publish=True) == {}
    kept = new.apply_patch(data, {"title": "T2"})
    assert kept == {"title": "T2", "subtitle": 3}
    with pytest.raises(ValidationFailed) as caught:
        new.apply_patch(kept, {"subtitle": 4})
    assert caught.value.fields == {"data.subtitle": "unknown field"}
    assert new.apply_patch(kept, {"subtitle": None}) == {"title": "T2"}


def test_a_type_change_makes_old_values_invalid_not_orphaned():
    old_data = {"count": "three"}
    new = compiled_for(check_schema([{"name": "count", "type": "number"}]))
    assert new.orphaned_fields(old_data) == []
    assert new.validate(old_data) == {"data.count": "Must be a number."}


# -- richtext sanitising ---------------------------------------------------------------------------------------
RICH = [
    {"name": "body", "type": "richtext", "maxLength": 30},
    {
        "name": "sections",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "html", "type": "richtext"}]},
    },
    {
        "name": "col",
        "type": "object",
        "fields": [{"name": "html", "type": "richtext"}, {"name": "raw", "type": "text"}],
    },
]


@pytest.mark.parametrize(
    ("html", "stored"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ('<p onclick="steal()" onmouseover="x">Hi</p>', "<p>Hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<img src="data:text/html,x" onerror="x()">', "<img>"),
        ("<style>p{}</style><b>ok</b>", "<b>ok</b>"),
        ('<a href="https://example.com/">ok</a>', '<a href="https://example.com/" rel="noopener noreferrer">ok</a>'),
    ],
)
def test_richtext_is_sanitised_on_write_at_every_depth(html, stored):
    compiled = compiled_for(check_schema(RICH))
    new = compiled.apply_patch({}, {"sections": [{"html": html}, {}], "col": {"html": html, "raw": html}})
    assert new == {"sections": [{"html": stored}, {}], "col": {"html": stored, "raw": html}}


def test_richtext_length_is_checked_after_sanitising():
    compiled = compiled_for(check_schema(RICH))
    script = "<script>" + "x" * 100 + "</script>"
    assert compiled.apply_patch({}, {"body": "<p>short</p>" + script}) == {"body": "<p>short</p>"}
    with pytest.raises(ValidationFailed) as caught:
        compiled.apply_patch({}, {"body": "<p>" + "y" * 40 + "</p>"})
    assert caught.value.fields == {"data.body": "Must be at most 30 characters long."}


def test_clean_sanitises_and_keeps_orphans():
    compiled = compiled_for(check_schema(RICH))
    assert compiled.clean({"body": "<i onclick=x>i</i>", "gone": "<script>"}) == {
        "body": "<i>i</i>",
        "gone": "<script>",
    }

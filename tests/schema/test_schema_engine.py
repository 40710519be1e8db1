"""The schema engine end to end through its public interface: check, compile, validate, merge, clean."""

from __future__ import annotations

import pytest

from cms.errors import ValidationFailed
from schema import check_schema, compiled_for, iter_fields, localized_fields
from tests.ids import without_ids

HEADER = [
    {"name": "logo", "type": "image", "label": "Logo"},
    {"name": "tagline", "type": "string", "label": "Tagline", "required": True},
    {"name": "navLinks", "type": "array", "label": "Navigation Links"},
    {
        "name": "links",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "label", "type": "string"}, {"name": "url", "type": "url"}]},
    },
    {"name": "body", "type": "richtext"},
    {"name": "reviews", "type": "dataSource", "source": "blocks", "params": {"limit": 3}},
]


@pytest.fixture
def header():
    return compiled_for(check_schema(HEADER))


def test_check_schema_returns_the_schema_as_given_with_ids():
    checked = check_schema(HEADER)
    assert without_ids(checked) == HEADER and all(len(field["id"]) == 11 for field in checked)
    assert check_schema(checked) is checked  # every field has its id: nothing to copy


def test_reference_header_data_is_valid(header):
    data = {
        "logo": {"url": "https://cdn.example.com/sites/abc123/logo.svg", "alt": "Company Logo"},
        "navLinks": [{"label": "Home", "url": "/"}, {"label": "Blog", "url": "/blog"}, 3, None],
        "links": [{"label": "Home", "url": "/"}, {"label": "Blog", "url": "/blog"}],
    }
    assert header.validate(data) == {}


def test_every_error_is_reported_with_its_path(header):
    errors = header.validate(
        {
            "logo": {"url": "javascript:alert(1)", "caption": "x"},
            "navLinks": "nope",
            "links": [{"label": "ok", "url": "//evil.example"}, {"label": 1, "href": "/"}],
            "reviews": [],
        }
    )
    assert errors == {
        "data.logo.url": "Must be an http(s) URL or a path starting with /.",
        "data.logo.caption": "unknown field",
        "data.navLinks": "Must be a list.",
        "data.links[0].url": "Must be an http(s) URL or a path starting with /.",
        "data.links[1].label": "Must be a string.",
        "data.links[1].href": "unknown field",
        "data.reviews": "read-only field",
    }


def test_publish_checks_required(header):
    assert header.validate({}) == {}
    assert header.validate({}, publish=True) == {"data.tagline": "Must be present and non-empty."}
    assert header.validate({"tagline": ""}, publish=True) == {"data.tagline": "Must be present and non-empty."}
    assert header.validate({"tagline": "Hi"}, publish=True) == {}


def test_apply_patch_merges_removes_and_sanitises(header):
    current = {"tagline": "Old", "gone": "orphan", "navLinks": [1]}
    new = header.apply_patch(
        current, {"gone": None, "navLinks": None, "body": '<p onclick="x()">Hi<script>1</script></p>'}
    )
    assert new == {"tagline": "Old", "body": "<p>Hi</p>"}
    assert current == {"tagline": "Old", "gone": "orphan", "navLinks": [1]}


def test_apply_patch_rejects_unknown_read_only_and_invalid_together(header):
    with pytest.raises(ValidationFailed) as caught:
        header.apply_patch({}, {"nope": 1, "reviews": [], "tagline": 5})
    assert caught.value.fields == {
        "data.nope": "unknown field",
        "data.reviews": "read-only field",
        "data.tagline": "Must be a string.",
    }


def test_apply_patch_needs_an_object(header):
    with pytest.raises(ValidationFailed) as caught:
        header.apply_patch({}, ["x"])
    assert caught.value.fields == {"data": "Must be an object."}


def test_orphaned_fields(header):
    assert header.orphaned_fields({"tagline": "x", "old": 1, "older": 2}) == ["old", "older"]


def test_schema_errors_have_paths():
    with pytest.raises(ValidationFailed) as caught:
        check_schema(
            [
                {"name": "a", "type": "strin"},
                {"name": "a", "type": "string", "maxLen": 3},
                {"name": "b", "type": "object", "fields": [{"name": "c", "type": "number", "default": "x"}]},
            ]
        )
    assert set(caught.value.fields) == {
        "schema[0].type",
        "schema[1].maxLen",
        "schema[1].name",
        "schema[2].fields[0].default",
    }


def test_datasource_fields_and_walk(header):
    assert header.datasource_fields == [(("reviews",), "blocks", {"limit": 3})]
    paths = [ref.path for ref in iter_fields(HEADER)]
    assert ("links", "*", "url") in paths
    assert localized_fields(HEADER) == ["logo", "tagline", "body"]


def test_errors_at_a_keyword_seen_before_keep_their_own_path_and_message():
    """Messages are worked out once per keyword location and reused: what depends on the value (an extra
    check's bound, required-and-empty at publish) or on the key (a missing sub-key, an unknown key) must
    still come from the error at hand, and paths from its own indexes."""
    schema = check_schema(
        [
            {"name": "title", "type": "string", "required": True, "minLength": 3},
            {"name": "day", "type": "date", "min": "2000-01-01", "max": "2099-12-31"},
            {"name": "since", "type": "date", "min": "2010-01-01"},
            {"name": "pics", "type": "array", "items": {"type": "image"}},
        ]
    )
    compiled = compiled_for(schema)
    for _ in range(2):  # the second round finds every plan made
        assert compiled.validate({"day": "1999-12-31", "since": "2009-01-01", "pics": [{"alt": "a"}]}) == {
            "data.day": "Must be on or after 2000-01-01.",
            "data.since": "Must be on or after 2010-01-01.",
            "data.pics[0].url": "Is required.",
        }
        assert compiled.validate({"day": "2100-01-01", "pics": [{"url": "/a.png"}, {"url": "/b", "x": 1}]}) == {
            "data.day": "Must be on or before 2099-12-31.",
            "data.pics[1].x": "unknown field",
        }
        assert compiled.validate({"title": "ab", "pics": [{"url": "/a", "y": 1}]}, publish=True) == {
            "data.title": "Must be at least 3 characters long.",
            "data.pics[0].y": "unknown field",
        }
        assert compiled.validate({"title": ""}, publish=True) == {"data.title": "Must be present and non-empty."}


def test_errors_at_one_keyword_in_many_items_each_have_their_own_index():
    compiled = compiled_for(check_schema([{"name": "pics", "type": "array", "items": {"type": "image"}}]))
    message = compiled.validate({"pics": [5]})["data.pics[0]"]
    for _ in range(2):
        assert compiled.validate({"pics": [5, {"url": "/a.png", "alt": ""}, 6, *[{"url": "/b"}] * 1000, 7]}) == {
            "data.pics": "Must have at most 1000 items.",
            "data.pics[0]": message,
            "data.pics[2]": message,
            "data.pics[1003]": message,  # past the precomputed `[0]`…`[999]` steps
        }

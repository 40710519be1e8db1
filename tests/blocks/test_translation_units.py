"""`blocks.translation_units`: which fields are translation units, emptiness, fingerprints, shared-field sync."""

from __future__ import annotations

from types import SimpleNamespace

from blocks.translation_units import (
    copy_state,
    fingerprint,
    is_empty,
    refingerprint,
    source_fingerprints,
    synced_data,
    unit_paths,
    unit_values,
)

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "code", "type": "string", "localized": False},
    {"name": "count", "type": "number"},
    {"name": "count2", "type": "number", "localized": True},
    {"name": "related", "type": "dataSource", "source": "blocks"},
    {"name": "keywords", "type": "array", "items": {"type": "string"}},
    {"name": "any", "type": "array"},
    {"name": "logo", "type": "image"},
    {
        "name": "hero",
        "type": "object",
        "fields": [{"name": "heading", "type": "string"}, {"name": "accent", "type": "color"}],
    },
    {
        "name": "links",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "label", "type": "string"}, {"name": "n", "type": "number"}]},
    },
]


def test_units_are_localized_leaves_by_path():
    assert list(unit_paths(SCHEMA)) == [
        ("title",),
        ("count2",),
        ("keywords",),
        ("logo",),
        ("hero", "heading"),
        ("links", "*", "label"),
    ]


def test_unit_values_name_concrete_paths():
    data = {"title": "T", "hero": {"heading": "H"}, "links": [{"label": "a", "n": 1}, {"n": 2}, {"label": ""}]}
    assert unit_values(SCHEMA, data) == {
        "title": "T",
        "hero.heading": "H",
        "links[0].label": "a",
        "links[2].label": "",
    }


def test_emptiness():
    for empty in (None, "", "   ", [], {}, {"url": "", "alt": None}):
        assert is_empty(empty), empty
    for full in (0, False, "x", [""], {"url": "/a.png"}):
        assert not is_empty(full), full


def test_fingerprints_ignore_key_order_and_differ_by_value():
    assert fingerprint({"a": 1, "b": 2}) == fingerprint({"b": 2, "a": 1})
    assert fingerprint("x") != fingerprint("y") != fingerprint(None)


def test_refingerprint_touches_only_changed_units():
    source = {"title": "New", "hero": {"heading": "New heading"}}
    hashes = {"title": "old", "hero.heading": "old"}
    before = {"title": "Old", "hero": {"heading": "Ancien"}}
    after = {"title": "Nouveau", "hero": {"heading": "Ancien"}}  # the heading sent again unchanged
    assert refingerprint(hashes, schema=SCHEMA, before=before, after=after, source_data=source) == {
        "title": fingerprint("New"),
        "hero.heading": "old",
    }
    emptied = refingerprint(hashes, schema=SCHEMA, before=before, after={**after, "title": " "}, source_data=source)
    assert emptied == {"hero.heading": "old"}  # an emptied unit is untranslated again


def block(pk, data, hashes=None):
    return SimpleNamespace(pk=pk, schema=SCHEMA, data=data, translation_hashes=hashes or {})


def test_a_source_value_cleared_after_translation_marks_the_copy():
    original = {"title": "Hello", "hero": {"heading": "Hi"}}
    copy = block(2, {"title": "Bonjour", "hero": {"heading": "Salut"}}, source_fingerprints(SCHEMA, original))
    state = copy_state(block(1, {"title": "Hello"}), copy)
    assert (state["status"], state["translatedFields"], state["totalFields"]) == ("partial", 1, 2)
    assert state["outdatedFields"] == ["hero.heading"]


def test_a_copied_value_without_a_fingerprint_is_untranslated():
    copy = block(2, {"title": "Hello", "hero": {"heading": "Hi"}})
    state = copy_state(block(1, {"title": "Hello", "hero": {"heading": "Hi"}}), copy)
    assert state["fields"] == {
        "translated": [],
        "outdated": [],
        "untranslated": ["title", "hero.heading"],
        "machine": [],
    }
    assert state["status"] == "partial"


def test_sync_keeps_localized_values_and_matches_lists_by_length():
    source = {
        "title": "Hello",
        "code": "A1",
        "count": 3,
        "hero": {"heading": "Hi", "accent": "#fff"},
        "links": [{"label": "One", "n": 1}],
    }
    target = {"title": "Bonjour", "count": 1, "any": [1], "hero": {"heading": "Salut"}, "links": [{"label": "Un"}]}
    assert synced_data(SCHEMA, source, target) == {
        "title": "Bonjour",
        "code": "A1",
        "count": 3,
        "hero": {"heading": "Salut", "accent": "#fff"},
        "links": [{"label": "Un", "n": 1}],
    }
    longer = {**target, "links": [{"label": "Un"}, {"label": "Deux"}]}
    assert synced_data(SCHEMA, source, longer)["links"] == longer["links"]

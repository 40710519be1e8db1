"""Every one of the 17 field types edited through the admin's form: the controls the page renders are posted
(as the browser posts them, no JSON typed) and the stored data is checked."""

from __future__ import annotations

import pytest

from editor.widgets import widget_types
from schema import type_names
from tests.editor.conftest import make_block
from tests.editor.helpers import change_url, post_change

OPTS = [{"value": "s", "label": "Small"}, {"value": "m", "label": "Medium"}, "l"]

# (field definition, the controls the page posts, the value stored)
CASES = {
    "string": ({"type": "string"}, [("d.f", "Hello")], "Hello"),
    "text": ({"type": "text"}, [("d.f", "line one\r\nline two")], "line one\nline two"),
    "richtext": (
        {"type": "richtext"},
        [("d.f", "<p>Hi <strong>there</strong><script>alert(1)</script></p>")],
        "<p>Hi <strong>there</strong></p>",
    ),
    "number": ({"type": "number"}, [("d.f", "3.5")], 3.5),
    "boolean": ({"type": "boolean"}, [("d.f.__present", "1"), ("d.f", "on")], True),
    "select": ({"type": "select", "options": OPTS}, [("d.f", "m")], "m"),
    "multiselect": (
        {"type": "multiselect", "options": OPTS},
        [("d.f.__present", "1"), ("d.f", "s"), ("d.f", "l")],
        ["s", "l"],
    ),
    "image": (
        {"type": "image"},
        [("d.f.url", "https://cdn.example.com/a.png"), ("d.f.alt", "A cat"), ("d.f.width", "640"), ("d.f.height", "")],
        {"url": "https://cdn.example.com/a.png", "alt": "A cat", "width": 640},
    ),
    "file": (
        {"type": "file"},
        [("d.f.url", "https://cdn.example.com/r.pdf"), ("d.f.name", "Report"), ("d.f.size", "1200")],
        {"url": "https://cdn.example.com/r.pdf", "name": "Report", "size": 1200},
    ),
    "url": ({"type": "url"}, [("d.f", "/blog")], "/blog"),
    "email": ({"type": "email"}, [("d.f", "ed@example.com")], "ed@example.com"),
    "date": ({"type": "date"}, [("d.f", "2026-11-23")], "2026-11-23"),
    "datetime": ({"type": "datetime"}, [("d.f", "2026-11-23T10:30"), ("d.f.__orig", "")], "2026-11-23T10:30:00Z"),
    "color": ({"type": "color"}, [("d.f", "#336699cc")], "#336699cc"),
    "object": (
        {"type": "object", "fields": [{"name": "title", "type": "string"}, {"name": "count", "type": "number"}]},
        [("d.f.title", "T"), ("d.f.count", "2")],
        {"title": "T", "count": 2},
    ),
    "array": (
        {"type": "array", "items": {"type": "object", "fields": [{"name": "label", "type": "string"}]}},
        # rows in page order (r9 was moved above r2 in the browser); the empty row is dropped
        [
            ("d.f.r9.__row", "1"),
            ("d.f.r9.label", "B"),
            ("d.f.r2.__row", "1"),
            ("d.f.r2.label", "A"),
            ("d.f.r5.__row", "1"),
            ("d.f.r5.label", ""),
        ],
        [{"label": "B"}, {"label": "A"}],
    ),
    "dataSource": ({"type": "dataSource", "source": "blocks"}, [], None),
}


def test_every_type_has_a_widget_and_a_case():
    assert sorted(CASES) == sorted(type_names()) == widget_types()
    assert len(CASES) == 17


@pytest.mark.parametrize("type_name", sorted(CASES))
def test_type_edited_through_the_form(site, admin_as, type_name):
    definition, controls, expected = CASES[type_name]
    schema = [{"name": "f", **definition}, {"name": "other", "type": "string"}]
    block = make_block(site, name=f"T {type_name}", schema=schema, data={"other": "kept"})
    client = admin_as("editor")

    page = client.get(change_url(block)).content.decode()
    assert 'data-path="data.f"' in page
    for name, _ in controls:
        if not name.endswith((".__row", ".__orig")) and ".r" not in name:
            assert f'name="{name}"' in page, f"the page renders no control named {name}"

    response = post_change(client, block, [*controls, ("d.other", "kept")])
    assert response.status_code == 302, response.content.decode()[:3000]
    block.refresh_from_db()
    if expected is None:  # dataSource: read-only, never stored
        assert "f" not in block.data
        assert "Filled when the block is read" in page
    else:
        assert block.data["f"] == expected
    assert block.data["other"] == "kept"


def test_unchanged_form_writes_nothing(site, admin_as):
    schema = [{"name": "when", "type": "datetime"}, {"name": "on", "type": "boolean"}]
    block = make_block(site, schema=schema, data={"when": "2026-01-01T12:00:00+02:00", "on": True})
    response = post_change(
        admin_as("editor"),
        block,
        [
            ("d.when", "2026-01-01T10:00:00"),
            ("d.when.__orig", "2026-01-01T12:00:00+02:00"),
            ("d.on.__present", "1"),
            ("d.on", "on"),
        ],
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.version == 1
    assert block.data["when"] == "2026-01-01T12:00:00+02:00"


def test_cleared_field_is_removed_and_unchecked_box_is_false(site, admin_as):
    schema = [{"name": "title", "type": "string"}, {"name": "on", "type": "boolean"}]
    block = make_block(site, schema=schema, data={"title": "x", "on": True})
    post_change(admin_as("editor"), block, [("d.title", ""), ("d.on.__present", "1")])
    block.refresh_from_db()
    assert block.data == {"on": False}

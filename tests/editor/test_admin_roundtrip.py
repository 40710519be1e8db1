"""The form posts back what it renders: saving a page untouched changes nothing (no write, no new version).

The pairs are read from the rendered HTML the way a browser collects a form (templates and disabled controls
left out), so this checks every widget's render against its own parse, on the demo content and on a block
holding a value of every field type.
"""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from blocks.models import SiteBlock
from tests.editor.conftest import logged_in, make_block, member
from tests.editor.helpers import change_url, encode, rendered_form_post

EVERY_TYPE = [
    {"name": "s", "type": "string"},
    {"name": "t", "type": "text"},
    {"name": "r", "type": "richtext"},
    {"name": "n", "type": "number"},
    {"name": "i", "type": "number", "integer": True},
    {"name": "b", "type": "boolean"},
    {"name": "sel", "type": "select", "options": ["1", "2", "3"]},
    {"name": "ms", "type": "multiselect", "options": ["a", {"value": "b", "label": "Bee"}]},
    {"name": "img", "type": "image"},
    {"name": "f", "type": "file"},
    {"name": "u", "type": "url"},
    {"name": "e", "type": "email"},
    {"name": "d", "type": "date"},
    {"name": "dt", "type": "datetime"},
    {"name": "c", "type": "color"},
    {"name": "o", "type": "object", "fields": [{"name": "x", "type": "string"}, {"name": "y", "type": "boolean"}]},
    {
        "name": "rows",
        "type": "array",
        "items": {
            "type": "object",
            "fields": [
                {"name": "label", "type": "string"},
                {"name": "tags", "type": "array", "items": {"type": "string"}},
            ],
        },
    },
    {"name": "free", "type": "array"},
    {"name": "ds", "type": "dataSource", "source": "blocks"},
]
EVERY_VALUE = {
    "s": "One <b>line</b> & more",
    "t": "Two\nlines",
    "r": "<p>Rich <strong>text</strong></p>",
    "n": 2.5,
    "i": 7,
    "b": False,
    "sel": "2",
    "ms": ["b"],
    "img": {"url": "https://x.example/a.png", "alt": "A", "width": 10, "height": 20},
    "f": {"url": "/f.pdf", "name": "F", "size": 100, "mimeType": "application/pdf"},
    "u": "/blog",
    "e": "a@example.com",
    "d": "2026-01-02",
    "dt": "2026-01-02T03:04:05+01:00",
    "c": "#abc",
    "o": {"x": "X", "y": True},
    "rows": [{"label": "first", "tags": ["p", "q"]}, {"label": "second"}],
    "free": [1, {"any": "json"}],
}


def assert_untouched_save_is_a_no_op(client, block: SiteBlock) -> None:
    page = client.get(change_url(block))
    assert page.status_code == 200
    pairs = rendered_form_post(page.content.decode())
    assert ("version", str(block.version)) in pairs
    response = client.post(change_url(block), encode(pairs), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302, response.content.decode()[:3000]
    before = (block.version, block.data, block.schema, block.name, block.tags)
    block.refresh_from_db()
    assert (block.version, block.data, block.schema, block.name, block.tags) == before


def test_every_type_round_trips_through_the_form(site, admin_as):
    block = make_block(site, schema=EVERY_TYPE, data=EVERY_VALUE)
    assert block.data["s"] == EVERY_VALUE["s"]
    assert_untouched_save_is_a_no_op(admin_as("editor"), block)


def test_demo_content_round_trips_through_the_form(db, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    blocks = list(SiteBlock.objects.select_related("site"))
    assert blocks
    client = logged_in(member(blocks[0].site, "demo-editor", "editor"))
    for block in blocks:
        assert_untouched_save_is_a_no_op(client, block)

"""The free-form list editor (an `array` without `items`, like the reference's `navLinks`): rows of text,
numbers, yes/no, null and key/value objects edited without JSON; exact round trips; parse errors beside the
control they concern, at the validator's paths, with nothing saved."""

from __future__ import annotations

import re

from django.http import QueryDict

from cms.jsonsame import same_json
from editor.dataform import parse_data_form
from tests.editor.conftest import make_block
from tests.editor.helpers import change_url, encode, post_change, rendered_form_post

SCHEMA = [
    {"name": "nav", "type": "array"},
    {"name": "other", "type": "array"},
    {"name": "site", "type": "url"},
    {"name": "rows", "type": "array", "items": {"type": "object", "fields": [{"name": "free", "type": "array"}]}},
]
VARIETY = [
    "5",
    "0",
    "true",
    "null",
    "",
    "  spaced  ",
    "two\nlines",
    "\nleading break",
    "carriage\rreturn",
    "ünïcødé ✓ 日本語 🙂",
    0,
    1,
    -3.5,
    1.0,
    0.1,
    9007199254740991,  # the largest magnitude a number may have (schema.limits)
    True,
    False,
    None,
    {},
    [],
    {"label": "Home", "url": "/", "count": 0, "on": False, "none": None, "num": "7", "ключ": "значение"},
    {"deep": {"a": [1, {"b": None}]}, "list": [], "flag": True},
    {"": "an empty key", "x": 1},
    [1, [2, "3"], {"k": False}],
]


def post_of(html: str) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in rendered_form_post(html):
        query.appendlist(key, value)
    return query


def kinds_shown(html: str, field: str) -> list[str]:
    """The kind chosen in each top-level row of a free-form field, in page order."""
    return re.findall(rf'name="d\.{field}\.i\d+\.kind"[^>]*>.*?<option value="(\w+)" selected', html)


def test_every_kind_of_value_round_trips_exactly(site, admin_as):
    data = {"nav": VARIETY, "other": [], "rows": [{"free": ["x", {"k": 2}]}]}
    block = make_block(site, schema=SCHEMA, data=data)
    block.refresh_from_db()  # as the database gives it back (PostgreSQL's jsonb may respell numbers)
    client = admin_as("editor")
    html = client.get(change_url(block)).content.decode()

    patch, merged = parse_data_form(block.schema, post_of(html), block.data)
    assert patch == {}
    assert same_json(merged, block.data)

    # scalars and flat objects get their own controls; only the deep values are JSON
    assert kinds_shown(html, "nav") == [
        *["text"] * 8,
        "json",  # a lone \r would not survive a text input
        "text",
        *["number"] * 6,
        "bool",
        "bool",
        "null",
        "object",  # {}
        "json",  # []
        "object",
        "object",  # its deep values alone are JSON boxes
        "json",  # an empty key cannot be a key/value row
        "json",
    ]
    assert 'name="d.nav.i21.o.i6.k" value="ключ"' in html
    assert 'name="d.nav.i10.v" value="0"' in html and 'name="d.nav.i0.v" value="5"' in html
    assert 'name="d.nav.i13.v" value="1.0"' in html
    assert 'name="d.nav.i22.o.i0.json"' in html  # the deep value alone is a JSON box; its siblings are not
    assert 'name="d.nav.i22.o.i2.kind"' in html and 'name="d.nav.i22.o.i2.json"' in html

    response = client.post(
        change_url(block), encode(rendered_form_post(html)), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    version, stored = block.version, block.data
    block.refresh_from_db()
    assert block.version == version and same_json(block.data, stored)


def test_rows_typed_without_json_are_saved_with_their_types(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"other": ["kept"]})
    controls = [
        ("d.nav.__empty", ""),
        ("d.nav.n9.kind", "object"),  # rows in page order: n9 was moved up in the browser
        ("d.nav.n9.o.a.k", "label"),
        ("d.nav.n9.o.a.kind", "text"),
        ("d.nav.n9.o.a.v", "Home"),
        ("d.nav.n9.o.b.k", "url"),
        ("d.nav.n9.o.b.kind", "text"),
        ("d.nav.n9.o.b.v", "/"),
        ("d.nav.n9.o.c.k", "order"),
        ("d.nav.n9.o.c.kind", "number"),
        ("d.nav.n9.o.c.v", " 2 "),
        ("d.nav.n9.o.d.k", "hidden"),
        ("d.nav.n9.o.d.kind", "bool"),
        ("d.nav.n9.o.d.b", "false"),
        ("d.nav.n9.o.e.k", "icon"),
        ("d.nav.n9.o.e.kind", "null"),
        ("d.nav.n1.kind", "text"),
        ("d.nav.n1.v", "42"),
        ("d.nav.n1.b", "true"),  # controls of other kinds are posted too, and ignored
        ("d.nav.n1.json", "[1]"),
        ("d.nav.n2.kind", "number"),
        ("d.nav.n2.v", "-0.25"),
        ("d.nav.n3.kind", "number"),
        ("d.nav.n3.v", "7"),
        ("d.nav.n4.kind", "bool"),
        ("d.nav.n4.b", "true"),
        ("d.nav.n5.kind", "null"),
        ("d.nav.n5.v", "ignored"),
        ("d.nav.n6.kind", "object"),
        ("d.nav.n7.kind", "json"),
        ("d.nav.n7.json", '[1, {"a": []}]'),
        ("d.nav.n8.kind", "text"),
        ("d.nav.n8.v", ""),
        ("d.other.__empty", ""),  # its one row was removed: the field goes
    ]
    response = post_change(admin_as("editor"), block, controls)
    assert response.status_code == 302, response.content.decode()[:2000]
    block.refresh_from_db()
    assert block.data == {
        "nav": [
            {"label": "Home", "url": "/", "order": 2, "hidden": False, "icon": None},
            "42",
            -0.25,
            7,
            True,
            None,
            {},
            [1, {"a": []}],
            "",
        ]
    }
    assert [type(v) for v in block.data["nav"][1:5]] == [str, float, int, bool]


def test_switching_a_row_between_kinds_is_a_change(site, admin_as):
    """`[1] == [True] == [1.0]` in Python: the form must still see the change and save it."""
    block = make_block(site, schema=SCHEMA, data={"nav": [1]})
    post_change(admin_as("editor"), block, [("d.nav.i0.kind", "bool"), ("d.nav.i0.b", "true")])
    block.refresh_from_db()
    assert block.data == {"nav": [True]} and block.version == 2


def test_an_empty_list_stays_and_an_untouched_missing_field_stays_missing(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"other": []})
    post_change(admin_as("editor"), block, [("d.nav.__empty", ""), ("d.other.__empty", "1")])
    block.refresh_from_db()
    assert block.data == {"other": []} and block.version == 1


def row_html(html: str, path: str) -> str:
    """The HTML of the free-form row (or pair) at `path`, up to its first nested row."""
    return html.split(f'data-path="{path}">', 1)[1].split('<div class="cms-row ', 1)[0]


def assert_between(html: str, *parts: str) -> None:
    """`parts` occur in `html` in this order (a message after its control, before the next control)."""
    places = [html.find(part) for part in parts]
    assert -1 not in places and places == sorted(places), (parts, places)


def test_wrong_input_is_reported_beside_its_control_and_nothing_is_saved(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"nav": ["old"]})
    controls = [
        ("d.site", "not a url"),
        ("d.nav.a.kind", "text"),
        ("d.nav.a.v", "fine"),
        ("d.nav.b.kind", "number"),
        ("d.nav.b.v", "12abc"),
        ("d.nav.c.kind", "object"),
        ("d.nav.c.o.p1.k", "url"),
        ("d.nav.c.o.p1.kind", "text"),
        ("d.nav.c.o.p1.v", "/"),
        ("d.nav.c.o.p2.k", "count"),
        ("d.nav.c.o.p2.kind", "number"),
        ("d.nav.c.o.p2.v", "many"),
        ("d.nav.c.o.p3.k", " "),
        ("d.nav.c.o.p3.kind", "text"),
        ("d.nav.c.o.p3.v", "orphan"),
        ("d.nav.c.o.p4.k", "url"),
        ("d.nav.c.o.p4.kind", "text"),
        ("d.nav.c.o.p4.v", "/again"),
        ("d.nav.d.kind", "json"),
        ("d.nav.d.json", "[1, 2"),
        ("d.nav.e.kind", "number"),
        ("d.nav.e.v", "NaN"),
        ("d.rows.r1.__row", "1"),
        ("d.rows.r1.free.x.kind", "number"),
        ("d.rows.r1.free.x.v", "1e999"),
    ]
    response = post_change(admin_as("editor"), block, controls, name="Renamed")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.data_errors == {
        "data.site": form.data_errors["data.site"],  # the validator's own error, reported in the same save
        "data.nav[1]": "Must be a number, like 12, -3.5 or 1e6.",
        "data.nav[2].count": "Must be a number, like 12, -3.5 or 1e6.",
        "data.nav[2]": "A key is required.",
        "data.nav[2].url": "This key is used twice in the same object.",
        "data.nav[3]": "Not valid JSON: Expecting ',' delimiter (line 1, column 6).",
        "data.nav[4]": "Must be a number, like 12, -3.5 or 1e6.",
        "data.rows[0].free[0]": "Must be a number, like 12, -3.5 or 1e6.",
    }
    html = response.content.decode()
    # each message sits right after its control, and what was typed is shown again
    row = row_html(html, "data.nav[1]")
    assert_between(row, 'name="d.nav.i1.v" value="12abc"', "Must be a number", 'data-kinds="object"')
    pair = row_html(html, "data.nav[2].count")
    assert_between(pair, 'name="d.nav.i2.o.i1.v" value="many"', "Must be a number", "cms-row-tools")
    blank_key = html.split('name="d.nav.i2.o.i2.k" value=" "', 1)[1].split("</ul>", 1)[0]
    assert re.match(r'[^>]*><ul class="errorlist[^>]*><li>A key is required\.</li>$', blank_key)
    duplicate = html.split('name="d.nav.i2.o.i3.k" value="url"', 1)[1].split("</ul>", 1)[0]
    assert duplicate.endswith("<li>This key is used twice in the same object.</li>")
    first_url = html.split('name="d.nav.i2.o.i0.k" value="url"', 1)[1].split("cms-row-tools", 1)[0]
    assert "errorlist" not in first_url
    assert "[1, 2</textarea>" in row_html(html, "data.nav[3]") and "Not valid JSON" in row_html(html, "data.nav[3]")
    assert "Must be a number" in row_html(html, "data.rows[0].free[0]")
    assert "Some content fields need attention" in html
    block.refresh_from_db()
    assert (block.name, block.data, block.version) == ("Header", {"nav": ["old"]}, 1)


def test_viewer_sees_the_rows_disabled(site, admin_as):
    block = make_block(site, schema=SCHEMA, data={"nav": [{"label": "Home"}]})
    html = admin_as("viewer").get(change_url(block)).content.decode()
    assert 'name="d.nav.i0.o.i0.k" value="label" class="cms-input cms-free-key" placeholder="key"' in html
    assert re.search(r'name="d\.nav\.i0\.o\.i0\.k"[^>]* disabled>', html)
    assert "cms-add-row" not in html and "cms-remove" not in html

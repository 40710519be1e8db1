"""Table-driven tests of the 17 field types (docs/fields.md, a section per type).

For every type, one table: its field definition, values it must accept, and values it must reject with the
exact path and message. Every row is checked twice: as a top-level field (`data.f`) and as a field of the
second object of a list of objects (`data.rows[1].f`), so paths are proven below the top level too.
"""

from __future__ import annotations

import pytest

from schema import check_schema, compiled_for, type_names

URL_MSG = "Must be an http(s) URL or a path starting with /."
DATETIME_MSG = "Must be a date and time with an offset or Z, such as 2025-04-06T12:00:00Z."

# type -> (field definition without its name, valid values, [(invalid value, {path below the field: message})])
TABLE: dict[str, tuple[dict, list, list[tuple[object, dict[str, str]]]]] = {
    "string": (
        {"type": "string", "minLength": 2, "pattern": "^[a-z]"},
        ["ab", "hello world", "z" * 255],
        [
            (3, {"": "Must be a string."}),
            (True, {"": "Must be a string."}),
            (["ab"], {"": "Must be a string."}),
            ("a", {"": "Must be at least 2 characters long."}),
            ("z" * 256, {"": "Must be at most 255 characters long."}),
            ("ab\ncd", {"": "Must be a single line (no line breaks)."}),
            ("AB", {"": "Must match the pattern ^[a-z]."}),
        ],
    ),
    "text": (
        {"type": "text", "minLength": 1, "maxLength": 10},
        ["a", "two\nlines", "x" * 10],
        [
            ("", {"": "Must be at least 1 character long."}),
            ("x" * 11, {"": "Must be at most 10 characters long."}),
            (1, {"": "Must be a string."}),
            (None, {"": "Must be a string."}),
        ],
    ),
    "richtext": (
        {"type": "richtext", "maxLength": 20},
        ["<p>Hi</p>", "", "plain"],
        [
            (1, {"": "Must be a string of HTML."}),
            ({"html": "<p>"}, {"": "Must be a string of HTML."}),
            ("<p>" + "x" * 20 + "</p>", {"": "Must be at most 20 characters long."}),
        ],
    ),
    "number": (
        {"type": "number", "min": 0, "max": 10, "step": 0.1},
        [0, 10, 0.3, 5, 9.9],
        [
            ("1", {"": "Must be a number."}),
            (True, {"": "Must be a number."}),
            (None, {"": "Must be a number."}),
            (-1, {"": "Must be at least 0."}),
            (10.5, {"": "Must be at most 10."}),
            (0.25, {"": "Must be a multiple of 0.1 from 0."}),
        ],
    ),
    "boolean": (
        {"type": "boolean"},
        [True, False],
        [
            (0, {"": "Must be true or false."}),
            ("true", {"": "Must be true or false."}),
            (None, {"": "Must be true or false."}),
        ],
    ),
    "select": (
        {"type": "select", "options": ["left", {"value": "right", "label": "Right"}]},
        ["left", "right"],
        [
            ("Right", {"": "Must be one of the options: left, right."}),
            (1, {"": "Must be one of the options: left, right."}),
            (["left"], {"": "Must be one of the options: left, right."}),
        ],
    ),
    "multiselect": (
        {"type": "multiselect", "options": ["a", "b", "c"], "minItems": 1, "maxItems": 2},
        [["a"], ["c", "a"]],
        [
            ("a", {"": "Must be a list of option values."}),
            ([], {"": "Must have at least 1 item."}),
            (["a", "b", "c"], {"": "Must have at most 2 items."}),
            (["a", "a"], {"": "Must not contain duplicates."}),
            (["a", "d"], {"[1]": "Must be one of the options: a, b, c."}),
        ],
    ),
    "image": (
        {"type": "image", "requireAlt": True},
        [
            {"url": "https://cdn.example.com/sites/abc123/logo.svg", "alt": "Company Logo"},  # the reference's
            {"url": "/media/a.png", "alt": "A", "width": 640, "height": 480},
            {"asset": 12},  # a media library asset: its alt (the fallback for requireAlt) is checked by blocks
            {"asset": 12, "alt": "A", "url": "/media/x.png", "width": 4, "mimeType": "image/png"},  # as read
        ],
        [
            ("/a.png", {"": 'Must be an object {"url", "alt"?, "width"?, "height"?} or {"asset", "alt"?}.'}),
            ({"asset": 0}, {".asset": "Must be the id of an asset of this site (a whole number from 1)."}),
            ({"asset": "12"}, {".asset": "Must be the id of an asset of this site (a whole number from 1)."}),
            ({"asset": 12, "caption": "x"}, {".caption": "unknown field"}),
            ({"alt": "A"}, {".url": "Is required."}),
            ({"url": "/a.png"}, {".alt": "Alt text is required for this image."}),
            ({"url": "/a.png", "alt": ""}, {".alt": "Alt text is required for this image."}),
            ({"url": "javascript:alert(1)", "alt": "A"}, {".url": URL_MSG}),
            ({"url": "data:image/png;base64,AAAA", "alt": "A"}, {".url": URL_MSG}),
            ({"url": "/a.png", "alt": "A", "width": -1}, {".width": "Must be at least 0."}),
            ({"url": "/a.png", "alt": "A", "height": 1.5}, {".height": "Must be a whole number."}),
            ({"url": "/a.png", "alt": "A", "caption": "x"}, {".caption": "unknown field"}),
        ],
    ),
    "file": (
        {"type": "file", "accept": [".pdf", "image/*"], "maxSize": 1000},
        [
            {"url": "https://cdn.example.com/report.pdf", "size": 10},
            {"url": "/download?id=3", "name": "Report.PDF", "size": 1000},
            {"url": "/x", "mimeType": "image/webp", "size": 0},
            {"asset": 3},  # accept and maxSize are checked against the asset by blocks
        ],
        [
            ("/a.pdf", {"": 'Must be an object {"url", "name"?, "size"?, "mimeType"?} or {"asset"}.'}),
            ({"asset": 1.5}, {".asset": "Must be the id of an asset of this site (a whole number from 1)."}),
            ({"asset": 3, "alt": "x"}, {".alt": "unknown field"}),
            ({"size": 1}, {".url": "Is required."}),
            ({"url": "/a.pdf"}, {".size": "Is required: the file must be at most 1000 bytes."}),
            ({"url": "/a.pdf", "size": 1001}, {".size": "The file must be at most 1000 bytes."}),
            ({"url": "/a.pdf", "size": "1"}, {".size": "Must be a whole number of bytes."}),
            ({"url": "/a.exe", "size": 1}, {"": "File type not accepted; allowed: .pdf, image/*."}),
            (
                {"url": "/a", "mimeType": "text/html", "size": 1},
                {"": "File type not accepted; allowed: .pdf, image/*."},
            ),
            ({"url": "javascript:alert(1)//a.pdf", "size": 1}, {".url": URL_MSG}),
            ({"url": "/a.pdf", "size": 1, "owner": "me"}, {".owner": "unknown field"}),
        ],
    ),
    "url": (
        {"type": "url"},
        ["/", "/blog", "/blog/post-1?x=1#top", "https://example.com", "HTTP://EXAMPLE.COM/a"],
        [
            ("blog", {"": URL_MSG}),
            ("", {"": URL_MSG}),
            ("//evil.example", {"": URL_MSG}),
            ("javascript:alert(1)", {"": URL_MSG}),
            ("data:text/html,<script>", {"": URL_MSG}),
            ("mailto:a@example.com", {"": URL_MSG}),
            ("https://exa mple.com", {"": URL_MSG}),
            ("/a\nb", {"": URL_MSG}),
            (5, {"": URL_MSG}),
            ("/" + "a" * 2048, {"": "Must be at most 2048 characters long."}),
        ],
    ),
    "email": (
        {"type": "email"},
        ["a@example.com", "first.last+tag@mail.example.co.uk"],
        [
            ("a@example", {"": "Must be an email address."}),
            ("example.com", {"": "Must be an email address."}),
            ("a b@example.com", {"": "Must be an email address."}),
            ("", {"": "Must be an email address."}),
            (1, {"": "Must be an email address."}),
        ],
    ),
    "date": (
        {"type": "date", "min": "2020-01-01", "max": "2030-12-31"},
        ["2020-01-01", "2024-02-29", "2030-12-31"],
        [
            ("2019-12-31", {"": "Must be on or after 2020-01-01."}),
            ("2031-01-01", {"": "Must be on or before 2030-12-31."}),
            ("2023-02-29", {"": "Must be a date as YYYY-MM-DD."}),
            ("2024-1-5", {"": "Must be a date as YYYY-MM-DD."}),
            ("2024-01-05T00:00:00Z", {"": "Must be a date as YYYY-MM-DD."}),
            (20240105, {"": "Must be a date as YYYY-MM-DD."}),
        ],
    ),
    "datetime": (
        {"type": "datetime", "min": "2025-01-01T00:00:00Z", "max": "2025-12-31T23:59:59Z"},
        ["2025-04-06T12:00:00Z", "2025-01-01T01:00:00+01:00", "2025-06-01T12:00:00.123-05:30"],
        [
            ("2025-01-01T00:30:00+01:00", {"": "Must be at or after 2025-01-01T00:00:00Z."}),
            ("2025-12-31T23:00:00-01:00", {"": "Must be at or before 2025-12-31T23:59:59Z."}),
            ("2025-04-06T12:00:00", {"": DATETIME_MSG}),
            ("2025-04-06", {"": DATETIME_MSG}),
            ("2025-04-06 12:00:00Z", {"": DATETIME_MSG}),
            ("2025-04-06T25:00:00Z", {"": DATETIME_MSG}),
            (0, {"": DATETIME_MSG}),
        ],
    ),
    "color": (
        {"type": "color", "alpha": False},
        ["#fff", "#A0B1C2"],
        [
            ("#a0b1c2ff", {"": "Must be a colour as #RGB or #RRGGBB."}),
            ("fff", {"": "Must be a colour as #RGB or #RRGGBB."}),
            ("#ggg", {"": "Must be a colour as #RGB or #RRGGBB."}),
            ("red", {"": "Must be a colour as #RGB or #RRGGBB."}),
            (255, {"": "Must be a colour as #RGB or #RRGGBB."}),
        ],
    ),
    "object": (
        {
            "type": "object",
            "fields": [{"name": "label", "type": "string"}, {"name": "count", "type": "number", "integer": True}],
        },
        [{}, {"label": "x"}, {"label": "x", "count": 3}],
        [
            ([], {"": "Must be an object."}),
            ("x", {"": "Must be an object."}),
            ({"label": 1, "count": 1.5}, {".label": "Must be a string.", ".count": "Must be a whole number."}),
            ({"label": "x", "extra": 1}, {".extra": "unknown field"}),
        ],
    ),
    "array": (
        {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {"type": "object", "fields": [{"name": "url", "type": "url"}]},
        },
        [[{"url": "/"}], [{}, {"url": "/blog"}, {"url": "https://example.com"}]],
        [
            ({"url": "/"}, {"": "Must be a list."}),
            ([], {"": "Must have at least 1 item."}),
            ([{}, {}, {}, {}], {"": "Must have at most 3 items."}),
            ([{"url": "/"}, {"url": "x"}], {"[1].url": URL_MSG}),
            ([{"url": "/"}, "x"], {"[1]": "Must be an object."}),
            ([{"href": "/"}], {"[0].href": "unknown field"}),
        ],
    ),
    "dataSource": (
        {"type": "dataSource", "source": "blocks", "params": {"limit": 3}},
        [],  # never stored: any value, even null, is refused
        [
            ([], {"": "read-only field"}),
            (None, {"": "read-only field"}),
            ({"x": 1}, {"": "read-only field"}),
        ],
    ),
}


def test_the_table_covers_all_17_types():
    assert sorted(TABLE) == type_names()
    assert len(TABLE) == 17


def _nested(definition: dict) -> list[dict]:
    return [{"name": "rows", "type": "array", "items": {"type": "object", "fields": [{"name": "f", **definition}]}}]


def _cases(kind: str):
    for type_name, (definition, valid, invalid) in TABLE.items():
        rows = valid if kind == "valid" else invalid
        for i, row in enumerate(rows):
            yield pytest.param(definition, row, id=f"{type_name}-{i}")


@pytest.mark.parametrize(("definition", "value"), list(_cases("valid")))
def test_valid_values_are_accepted(definition, value):
    top = compiled_for(check_schema([{"name": "f", **definition}]))
    assert top.validate({"f": value}) == {}
    nested = compiled_for(check_schema(_nested(definition)))
    assert nested.validate({"rows": [{}, {"f": value}]}) == {}


@pytest.mark.parametrize(("definition", "case"), list(_cases("invalid")))
def test_invalid_values_are_rejected_with_their_path(definition, case):
    value, expected = case
    top = compiled_for(check_schema([{"name": "f", **definition}]))
    assert top.validate({"f": value}) == {f"data.f{rest}": message for rest, message in expected.items()}
    nested = compiled_for(check_schema(_nested(definition)))
    assert nested.validate({"rows": [{}, {"f": value}]}) == {
        f"data.rows[1].f{rest}": message for rest, message in expected.items()
    }


# -- the reference's examples (site-blocks-api.txt) ------------------------------------------------------------
REFERENCE_SCHEMA = [
    {"name": "logo", "type": "image", "label": "Logo"},
    {"name": "tagline", "type": "string", "label": "Tagline"},
    {"name": "navLinks", "type": "array", "label": "Navigation Links"},
]


def test_reference_header_schema_and_data_are_valid():
    compiled = compiled_for(check_schema(REFERENCE_SCHEMA))
    data = {
        "logo": {"url": "https://cdn.lynkow.com/sites/abc123/logo.svg", "alt": "Company Logo"},
        "tagline": "Build faster with Lynkow",
        "navLinks": [
            {"label": "Home", "url": "/"},
            {"label": "Blog", "url": "/blog"},
            {"label": "Contact", "url": "/contact"},
        ],
    }
    assert compiled.validate(data) == {}
    assert compiled.validate(data, publish=True) == {}


def test_array_without_items_accepts_any_json_values_but_is_still_a_list():
    compiled = compiled_for(check_schema(REFERENCE_SCHEMA))
    assert compiled.validate({"navLinks": [{"label": "Home", "url": "/"}, "x", 1, None, [True], {"a": {}}]}) == {}
    assert "items" not in compiled.json_schema["properties"]["navLinks"]
    assert compiled.validate({"navLinks": {"label": "Home"}}) == {"data.navLinks": "Must be a list."}
    assert compiled.validate({"navLinks": [0] * 1001}) == {"data.navLinks": "Must have at most 1000 items."}


@pytest.mark.parametrize("value", ["/", "/blog"])
def test_url_accepts_the_reference_nav_paths_unless_relative_is_off(value):
    assert compiled_for(check_schema([{"name": "u", "type": "url"}])).validate({"u": value}) == {}
    strict = compiled_for(check_schema([{"name": "u", "type": "url", "allowRelative": False}]))
    assert strict.validate({"u": value}) == {"data.u": "Must be an http(s) URL."}


def test_url_schemes_option_adds_mailto_and_tel():
    compiled = compiled_for(check_schema([{"name": "u", "type": "url", "schemes": ["https", "mailto", "tel"]}]))
    for value in ("mailto:hi@example.com", "tel:+331234", "https://example.com", "/contact"):
        assert compiled.validate({"u": value}) == {}, value
    assert compiled.validate({"u": "http://example.com"}) == {
        "data.u": "Must be a URL (https, mailto, tel) or a path starting with /."
    }


def test_image_with_only_url_and_alt_is_valid_and_alt_is_optional_by_default():
    compiled = compiled_for(check_schema([{"name": "logo", "type": "image"}]))
    assert compiled.validate({"logo": {"url": "https://cdn.example.com/logo.svg", "alt": "Company Logo"}}) == {}
    assert compiled.validate({"logo": {"url": "/logo.svg"}}) == {}


def test_number_without_integer_accepts_floats_and_integer_refuses_them():
    assert compiled_for(check_schema([{"name": "n", "type": "number"}])).validate({"n": 1.5}) == {}
    whole = compiled_for(check_schema([{"name": "n", "type": "number", "integer": True}]))
    assert whole.validate({"n": 2}) == {}
    assert whole.validate({"n": 2.5}) == {"data.n": "Must be a whole number."}


def test_color_accepts_alpha_by_default():
    compiled = compiled_for(check_schema([{"name": "c", "type": "color"}]))
    assert compiled.validate({"c": "#11223344"}) == {}
    assert compiled.validate({"c": "#1122334"}) == {"data.c": "Must be a colour as #RGB, #RRGGBB or #RRGGBBAA."}


def test_string_max_length_can_be_raised():
    compiled = compiled_for(check_schema([{"name": "s", "type": "string", "maxLength": 10_000}]))
    assert compiled.validate({"s": "x" * 10_000}) == {}
    assert compiled.validate({"s": "x" * 10_001}) == {"data.s": "Must be at most 10000 characters long."}

"""Issue 14, item 12: a relative URL is one `/` followed by a character that is neither `/` nor `\\`, in
printable ASCII. `/\\evil.example` (browsers read it as `//evil.example`) and `/。evil` (a non-ASCII character
a browser or a frontend may normalise) are refused in `url`, `image.url` and `file.url`, and the served JSON
Schema says exactly what the server checks."""

from __future__ import annotations

import jsonschema
import pytest

from schema import compiled_for
from tests.hostile.values import BLOCKS, create, footprint, refused

pytestmark = pytest.mark.django_db

MESSAGE = "Must be an http(s) URL or a path starting with /."
BAD = [
    "/\\evil.example",
    "/\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "/。evil",
    "/\uff0fevil.example",  # full-width solidus
    "/\uff3cevil.example",  # full-width reverse solidus
    "/\u2215evil.example",  # division slash
    "/é",
    "/ok/é",
    "/\tevil.example",
    "/ evil",
    "/\x7fevil",
    "\\evil.example",
    "\\/evil.example",
    "evil.example",
    "./x",
    "",
]
GOOD = ["/", "/blog", "/a/b?c=d#e", "/%C3%A9t%C3%A9", "/-x", "/~user", "/a//b", "/a\\b", "/?q=1", "/#top", "/x.pdf"]
SCHEMA = [{"name": "u", "type": "url"}, {"name": "img", "type": "image"}, {"name": "f", "type": "file"}]
FIELDS = {
    "url": (lambda v: {"u": v}, "data.u"),
    "image.url": (lambda v: {"img": {"url": v}}, "data.img.url"),
    "file.url": (lambda v: {"f": {"url": v}}, "data.f.url"),
}


def at_place(data: dict, sent: dict) -> str:
    """The URL at the place `sent` put it in `data`."""
    key, value = next(iter(sent.items()))
    return data[key] if isinstance(value, str) else data[key]["url"]


@pytest.fixture
def block(api):
    return create(api, SCHEMA, {"u": "/"})


@pytest.mark.parametrize("value", BAD, ids=ascii)
def test_bad_relative_urls_are_refused_in_every_url_field(api, block, value):
    before = footprint()
    for make, path in FIELDS.values():
        response = api.put(f"{BLOCKS}/hero/data", {"data": make(value)}, format="json")
        refused(response, {path: MESSAGE}, "The data did not validate.")
    assert footprint() == before


@pytest.mark.parametrize("value", GOOD, ids=ascii)
def test_good_relative_urls_are_stored_in_every_url_field(api, block, value):
    for make, _ in FIELDS.values():
        response = api.put(f"{BLOCKS}/hero/data", {"data": make(value)}, format="json")
        assert response.status_code == 200, response.content[:300]
        assert at_place(response.json()["data"]["data"], make(value)) == value


def test_a_url_refused_in_a_list_of_objects_names_its_row(api):
    schema = [
        {"name": "links", "type": "array", "items": {"type": "object", "fields": [{"name": "to", "type": "url"}]}}
    ]
    create(api, schema)
    before = footprint()
    response = api.put(f"{BLOCKS}/hero/data", {"data": {"links": [{"to": "/ok"}, {"to": "/\\evil"}]}}, format="json")
    refused(response, {"data.links[1].to": MESSAGE}, "The data did not validate.")
    assert footprint() == before


@pytest.mark.parametrize("value", BAD + GOOD, ids=ascii)
def test_the_served_json_schema_agrees_with_the_server(value):
    """The compiled schema a client validates with (the `jsonschema` package, Python's `re`) says yes exactly
    where the server (jsonschema-rs, the engine's form of the same patterns) says yes."""
    compiled = compiled_for(SCHEMA)
    for field, (make, _) in FIELDS.items():
        data = make(value)
        served_ok = jsonschema.Draft202012Validator(compiled.json_schema).is_valid(data)
        server_ok = compiled.validate(data) == {}
        assert served_ok == server_ok == (value in GOOD), (field, value)

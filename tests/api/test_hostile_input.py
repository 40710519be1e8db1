"""Hostile and oversized input on every write route: 400 `bad_request` / 413 `payload_too_large` in the
envelope, never a 500 and never a change; and the list's paging limits."""

from __future__ import annotations

import io

import pytest

from blocks.models import SiteBlock
from cms import errors
from cms.api.parsers import StrictJSONParser
from tests.api.routes import site_api_routes

pytestmark = pytest.mark.django_db

HOSTILE_BODIES = {
    "100k nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "100k nested objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "nested data": b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "invalid utf-8": b'{"name": "\xff\xfe\xfd", "type": "global"}',
    "lone surrogate": b'{"name": "\\ud800", "type": "global"}',
    "NaN": b'{"data": {"title": NaN}}',
    "Infinity": b'{"data": {"title": Infinity}}',
    "-Infinity": b'{"data": {"title": -Infinity}}',
    "1e400": b'{"data": {"title": 1e400}}',
    "truncated": b'{"data": {"title": "x"',
    "trailing garbage": b'{"data": {}} {}',
    "not an object": b"[1, 2, 3]",
    "a bare string": b'"hello"',
    "NUL in a string": b'{"name": "a\\u0000b", "type": "global", "data": {"title": "\\u0000"}}',
}


@pytest.fixture
def header(api):
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Header", "type": "global", "schema": [{"name": "title", "type": "string"}]},
        format="json",
    )
    assert response.status_code == 201
    return SiteBlock.objects.get(slug="header")


def write_urls() -> list[tuple[str, str]]:
    return [(method, route.url("header")) for route in site_api_routes() for method in route.writes]


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_hostile_json_is_bad_request_on_every_write(api, header, name):
    body = HOSTILE_BODIES[name]
    urls = write_urls()
    assert len(urls) >= 7
    for method, url in urls:
        response = api.generic(method.upper(), url, body, content_type="application/json")
        assert response.status_code == 400, (name, method, url, response.content[:200])
        assert response["Content-Type"] == "application/json"
        error = response.json()["error"]
        assert error["code"] == "bad_request" and isinstance(error["message"], str)
        assert set(error) <= {"code", "message", "fields"}
    header_after = SiteBlock.objects.get(pk=header.pk)
    assert (header_after.version, header_after.data, header_after.status) == (1, {}, "draft")
    assert SiteBlock.objects.count() == 1


# Uploads take a file's bytes in base64 (`MEDIA_MAX_UPLOAD_BYTES`, 10 MiB): tests/media checks their limit, and
# tests/bundles the site bundle's (its zip in base64).
UPLOADS = {("post", "/api/v1/assets"), ("post", "/api/v1/assets/1/file"), ("post", "/api/v1/site/import")}


def test_three_mebibyte_body_is_413_on_every_write(api, header):
    body = b'{"data": {"title": "' + b"x" * (3 * 1024 * 1024) + b'"}}'
    for method, url in write_urls():
        if (method, url) in UPLOADS:
            continue
        response = api.generic(method.upper(), url, body, content_type="application/json")
        assert response.status_code == 413, (method, url)
        assert response.json()["error"]["code"] == "payload_too_large"
    assert SiteBlock.objects.get(pk=header.pk).version == 1


def test_body_just_under_the_limit_is_read_and_validated(api, header):
    title = "x" * (2 * 1024 * 1024 - 100)
    response = api.put("/api/v1/site-blocks/header/data", {"data": {"title": title}}, format="json")
    # Read in full and judged on its content (a string field caps its length), not refused for its size.
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["data.title"]


def test_parser_caps_a_body_without_content_length(settings):
    """A chunked body has no Content-Length for the middleware to refuse; the parser stops reading at the cap."""
    settings.CMS = {**settings.CMS, "MAX_BODY_BYTES": 1000}
    with pytest.raises(errors.PayloadTooLarge):
        StrictJSONParser().parse(io.BytesIO(b'{"a": "' + b"x" * 5000 + b'"}'))
    assert StrictJSONParser().parse(io.BytesIO(b'{"a": 1}')) == {"a": 1}


NOT_JSON = {
    "form": ("application/x-www-form-urlencoded", b"data=1"),
    "text": ("text/plain", b'{"data": {"title": "x"}}'),
    "missing": ("", b'{"data": {"title": "x"}}'),
    "multipart": (
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n',
    ),
}
JSON_PLEASE = {
    "error": {"code": "unsupported_media_type", "message": "Send the body as JSON with Content-Type: application/json."}
}


@pytest.mark.parametrize("kind", sorted(NOT_JSON))
def test_a_body_not_sent_as_json_is_415_naming_json_on_every_write(api, header, kind):
    """Form, text, multipart or no Content-Type: 415 saying what to send, on every write route (the media
    uploads, which also take multipart, are tests/media's), and nothing written."""
    content_type, body = NOT_JSON[kind]
    uploads = {"/api/v1/assets", "/api/v1/assets/1/file"}
    for method, url in write_urls():
        if kind == "multipart" and method == "post" and url.rstrip("/") in uploads:
            continue
        response = api.generic(method.upper(), url, body, content_type=content_type)
        expected = JSON_PLEASE
        if method == "post" and url.rstrip("/") in uploads:
            message = "Send the body as JSON with Content-Type: application/json, or the file as multipart/form-data."
            expected = {"error": {"code": "unsupported_media_type", "message": message}}
        assert (response.status_code, response.json()) == (415, expected), (kind, method, url)
    header_after = SiteBlock.objects.get(pk=header.pk)
    assert (header_after.version, header_after.data, header_after.status) == (1, {}, "draft")
    assert SiteBlock.objects.count() == 1


def test_a_write_without_a_body_needs_no_content_type(api, header):
    response = api.generic("POST", "/api/v1/site-blocks/header/publish", b"", content_type="")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "per_page", "current"),
    [("perPage=100000", 100, 1), ("perPage=101", 100, 1), ("perPage=1&page=3", 1, 3), ("page=2", 15, 2)],
)
def test_per_page_cap_and_page_past_the_end(api, header, query, per_page, current):
    body = api.get(f"/api/v1/site-blocks?{query}").json()
    assert body["meta"] == {"total": 1, "perPage": per_page, "currentPage": current, "lastPage": 1, "nextCursor": None}
    assert len(body["data"]) == (1 if current == 1 else 0)


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=1.5", "perPage=0", "perPage=x", "page=99999999999999"])
def test_bad_paging_values_are_bad_request(api, query):
    response = api.get(f"/api/v1/site-blocks?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request" and set(error["fields"]) <= {"page", "perPage"}


def test_nul_in_the_url_is_bad_request(api, header):
    for url in (
        "/api/v1/site-blocks/header?locale=e%00n",
        "/api/v1/site-blocks/hea%00der",
        "/api/v1/site-blocks?search=%00",
    ):
        response = api.get(url)
        assert response.status_code == 400, url
        assert response.json()["error"]["code"] == "bad_request"
    fields = api.get("/api/v1/site-blocks?search=%00").json()["error"]["fields"]
    assert fields == {"search": "Contains a NUL character (\\u0000)."}


def test_nul_in_the_body_names_every_path_and_changes_nothing(api, header):
    body = b'{"data": {"title": "a\\u0000b", "links": [{"label": "ok"}, {"la\\u0000bel": "x"}]}}'
    response = api.generic("PUT", "/api/v1/site-blocks/header/data", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "data.links[1].la\\u0000bel": "Contains a NUL character (\\u0000).",
        "data.title": "Contains a NUL character (\\u0000).",
    }
    assert SiteBlock.objects.get(slug="header").data == header.data


def test_an_escaped_backslash_before_u0000_is_ordinary_text(api, header):
    # JSON "a\\u0000" is the six characters `a\u0000` (a backslash, not a NUL): it must be stored as sent.
    body = b'{"data": {"title": "a\\\\u0000"}}'
    response = api.generic("PUT", "/api/v1/site-blocks/header/data", body, content_type="application/json")

    assert response.status_code == 200, response.content
    assert SiteBlock.objects.get(slug="header").data == {"title": "a\\u0000"}

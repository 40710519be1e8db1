"""Issue 14, item 13: every management API answer is JSON, whatever `Accept` or `?format=` ask.

DRF's browsable renderer used to answer `Accept: text/html` or `?format=api` with an HTML page, error pages
(401, 404, 500) included. Now a request always gets JSON, every error the envelope, and no `Accept` ends in
a 406.
"""

from __future__ import annotations

import pytest

from blocks import events
from blocks.models import SiteBlock

pytestmark = pytest.mark.django_db

ACCEPTS = [
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # what a browser sends
    "application/xhtml+xml",
    "application/xml",
    "text/plain",
    "image/png",
    "application/json;q=0",
    "nonsense/",
    "*/*",
    "",
]
UNAUTHENTICATED = {"error": {"code": "unauthenticated", "message": "Missing or unknown API token."}}
FORMATS = ["", "?format=api", "?format=json", "?format=html", "?format=xml", "?format="]


def join(path: str, fmt: str) -> str:
    return path + fmt if "?" not in path else path + fmt.replace("?", "&")


def assert_json(response, status: int, envelope: dict | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = response.json()
    if envelope is not None:
        assert body == envelope
    return body


@pytest.fixture
def header(api):
    created = api.post(
        "/api/v1/site-blocks",
        {"name": "Header", "type": "global", "schema": [{"name": "title", "type": "string"}]},
        format="json",
    )
    assert created.status_code == 201
    return created.json()["data"]


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_token_reads_and_their_errors_are_json(api, client, header, accept, fmt):
    extra = {"HTTP_ACCEPT": accept}
    listed = assert_json(api.get(join("/api/v1/site-blocks", fmt), **extra), 200)
    assert [row["slug"] for row in listed["data"]] == ["header"]
    assert_json(
        api.get(join("/api/v1/site-blocks/nope", fmt), **extra),
        404,
        {"error": {"code": "not_found", "message": "No block `nope` in locale `en` of this site."}},
    )
    assert_json(
        client.get(join("/api/v1/site-blocks", fmt), **extra),
        401,
        UNAUTHENTICATED,
    )
    assert_json(
        client.get(join("/api/v1/site-blocks", fmt), HTTP_AUTHORIZATION="Bearer cms_live_nope", **extra),
        401,
        UNAUTHENTICATED,
    )
    assert_json(api.get(join("/api/v1/no-such-route", fmt), **extra), 404)


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "image/png"])
@pytest.mark.parametrize("fmt", ["", "?format=api"])
def test_token_writes_refused_or_failing_are_json_and_write_nothing(api, header, subscribe, accept, fmt):
    extra = {"HTTP_ACCEPT": accept}
    refused = api.put(join("/api/v1/site-blocks/header/data", fmt), {"data": {"title": 5}}, format="json", **extra)
    assert_json(
        refused,
        422,
        {
            "error": {
                "code": "validation_failed",
                "message": "The data did not validate.",
                "fields": {"data.title": "Must be a string."},
            }
        },
    )

    def boom(**kwargs):
        raise RuntimeError("a subscriber failed")

    subscribe(events.recorded, boom)
    failed = api.put(join("/api/v1/site-blocks/header/data", fmt), {"data": {"title": "x"}}, format="json", **extra)
    assert_json(failed, 500, {"error": {"code": "server_error", "message": "Something went wrong on our side."}})
    block = SiteBlock.objects.get(slug="header")
    assert (block.version, block.data) == (1, {})


@pytest.mark.parametrize("suffix", [".api", ".json", ".html", "/.api", "/?format=api", ".api?format=api"])
def test_format_suffixes_select_nothing_the_answer_is_json(api, header, suffix):
    """There are no format-suffix routes: a suffix is part of the slug (404) or ignored; JSON either way."""
    response = api.get(f"/api/v1/site-blocks/header{suffix}", HTTP_ACCEPT="text/html")
    body = assert_json(response, response.status_code)
    if response.status_code == 200:
        assert body["data"]["slug"] == "header"
    else:
        assert response.status_code == 404 and body["error"]["code"] == "not_found"


def test_an_admin_session_gets_json_too(api, header, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    response = client.get("/api/v1/site-blocks?site=acme&format=api", HTTP_ACCEPT="text/html")
    assert [row["slug"] for row in assert_json(response, 200)["data"]] == ["header"]

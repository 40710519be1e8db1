"""Every curl example of `site-blocks-api.txt`, replayed against our service.

The site comes from `manage.py create_site` and the token from `manage.py create_api_token`, as a reader of
the reference would set them up. Each test sends the reference's request and checks the documented status
and the shape of the documented body (our answers carry a superset of the reference's keys).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.ids import without_ids

HEADER_SCHEMA = [
    {"name": "logo", "type": "image", "label": "Logo"},
    {"name": "navLinks", "type": "array", "label": "Navigation Links"},
]
HEADER_DATA = {
    "logo": {"url": "https://cdn.lynkow.com/sites/abc123/logo.svg", "alt": "Company Logo"},
    "navLinks": [
        {"label": "Home", "url": "/"},
        {"label": "Blog", "url": "/blog"},
        {"label": "Contact", "url": "/contact"},
    ],
}
SIDEBAR = {
    "name": "Sidebar",
    "type": "global",
    "schema": [
        {"name": "title", "type": "string", "label": "Title"},
        {
            "name": "links",
            "type": "array",
            "label": "Links",
            "items": {
                "type": "object",
                "fields": [{"name": "label", "type": "string"}, {"name": "url", "type": "url"}],
            },
        },
    ],
}
BLOCK_KEYS = {"id", "name", "slug", "type", "status", "locale", "createdAt", "updatedAt"}
TIMESTAMP_LENGTH = len("2025-01-05T09:00:00.000Z")


@pytest.fixture
def api(db):
    """A client holding a token made the documented way: `create_site`, then `create_api_token`."""
    call_command("create_site", "lynkow", "--name", "Lynkow", "--locales", "en,fr,es", "--default-locale", "en")
    out = StringIO()
    call_command("create_api_token", "--site", "lynkow", "--user", "jane", "--name", "reference", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().splitlines()[-1]}")
    return client


@pytest.fixture
def header(api):
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Header", "type": "global", "schema": HEADER_SCHEMA, "data": HEADER_DATA},
        format="json",
    )
    assert response.status_code == 201, response.json()
    api.post("/api/v1/site-blocks/header/publish")
    return response.json()["data"]


@pytest.mark.django_db
def test_list_site_blocks(api, header):
    api.post(
        "/api/v1/site-blocks", {"name": "About Page", "type": "page", "path": "/about", "slug": "about"}, format="json"
    )
    api.post("/api/v1/site-blocks", {"name": "Footer", "type": "global"}, format="json")

    response = api.get("/api/v1/site-blocks")

    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"total": 3, "perPage": 15, "currentPage": 1, "lastPage": 1, "nextCursor": None}
    by_slug = {row["slug"]: row for row in body["data"]}
    assert set(by_slug) == {"header", "about", "footer"}
    assert by_slug["header"]["status"] == "published"
    assert by_slug["footer"]["status"] == "draft"
    assert by_slug["about"]["path"] == "/about" and "path" not in by_slug["header"]
    for row in body["data"]:
        assert set(row) >= BLOCK_KEYS
        assert "schema" not in row and "data" not in row
        assert row["createdAt"].endswith("Z") and len(row["createdAt"]) == len("2025-01-05T09:00:00.000Z")


@pytest.mark.django_db
def test_create_site_block(api):
    response = api.post("/api/v1/site-blocks", SIDEBAR, format="json")

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["name"] == "Sidebar" and data["slug"] == "sidebar"
    assert data["type"] == "global" and data["status"] == "draft" and data["locale"] == "en"
    assert [field["name"] for field in data["schema"]] == ["title", "links"]
    assert data["data"] == {}
    assert response["ETag"] == f'"{data["id"]}-1"'


@pytest.mark.django_db
def test_get_site_block(api, header):
    response = api.get("/api/v1/site-blocks/header")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["slug"] == "header" and data["status"] == "published"
    assert without_ids(data["schema"]) == HEADER_SCHEMA
    assert data["data"] == HEADER_DATA
    meta = response.json()["meta"]
    completion = meta.pop("completion")  # docs/fields.md "Completion" (tests/api/test_completion.py)
    assert completion["required"]["percent"] == 100 and completion["missingRequired"] == []
    assert meta == {"orphanedFields": [], "version": data["version"]}


@pytest.mark.django_db
def test_delete_site_block(api):
    api.post("/api/v1/site-blocks", SIDEBAR, format="json")

    response = api.delete("/api/v1/site-blocks/sidebar")

    assert response.status_code == 200
    assert response.json() == {"message": "Block deleted"}
    assert api.get("/api/v1/site-blocks/sidebar").status_code == 404


@pytest.mark.django_db
def test_update_block_schema_keeps_data(api, header):
    schema = [
        {"name": "logo", "type": "image", "label": "Logo"},
        {"name": "tagline", "type": "string", "label": "Tagline"},
        {"name": "navLinks", "type": "array", "label": "Navigation Links"},
    ]

    response = api.put("/api/v1/site-blocks/header/schema", {"schema": schema}, format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert without_ids(data["schema"]) == schema
    assert data["data"] == HEADER_DATA
    assert data["status"] == "published" and data["hasUnpublishedChanges"] is True


@pytest.mark.django_db
def test_update_block_data_merges(api, header):
    api.put(
        "/api/v1/site-blocks/header/schema",
        {"schema": [*HEADER_SCHEMA, {"name": "tagline", "type": "string", "label": "Tagline"}]},
        format="json",
    )
    patch = {
        "tagline": "Build faster with Lynkow",
        "navLinks": [{"label": "Home", "url": "/"}, {"label": "Blog", "url": "/blog"}],
    }

    response = api.put("/api/v1/site-blocks/header/data", {"data": patch}, format="json")

    assert response.status_code == 200
    assert response.json()["data"]["data"] == {"logo": HEADER_DATA["logo"], **patch}


@pytest.mark.django_db
def test_publish_and_unpublish(api):
    api.post("/api/v1/site-blocks", SIDEBAR, format="json")

    published = api.post("/api/v1/site-blocks/sidebar/publish")
    assert published.status_code == 200
    assert published.json()["data"]["status"] == "published"
    assert published.json()["data"]["publishedAt"] is not None

    unpublished = api.post("/api/v1/site-blocks/sidebar/unpublish")
    assert unpublished.status_code == 200
    assert unpublished.json()["data"]["status"] == "draft"
    assert unpublished.json()["data"]["publishedAt"] is None


@pytest.mark.django_db
def test_block_translation_status(api, header):
    api.post("/api/v1/site-blocks/header/copy-to-locale", {"locale": "es"}, format="json")
    emptied = api.put("/api/v1/site-blocks/header/data?locale=es", {"data": {"logo": None}}, format="json")
    assert emptied.status_code == 200, emptied.json()

    response = api.get("/api/v1/site-blocks/header/translations")

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"en", "fr", "es"}
    assert data["en"]["status"] == "complete"
    assert data["fr"]["status"] == "missing"
    assert data["es"]["status"] == "partial"
    for state in data.values():
        assert {"status", "translatedFields", "totalFields", "outdated"} <= set(state)


@pytest.mark.django_db
def test_copy_block_to_another_locale(api, header):
    response = api.post("/api/v1/site-blocks/header/copy-to-locale", {"locale": "fr"}, format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) >= BLOCK_KEYS | {"schema", "data"}
    assert (data["name"], data["slug"], data["type"], data["status"], data["locale"]) == (
        "Header",
        "header",
        "global",
        "draft",
        "fr",
    )
    assert without_ids(data["schema"]) == HEADER_SCHEMA and data["data"] == HEADER_DATA
    assert data["id"] != header["id"]
    assert api.get("/api/v1/site-blocks/header?locale=fr").json()["data"]["id"] == data["id"]


@pytest.mark.django_db
def test_list_block_revisions(api, header):
    api.put(
        "/api/v1/site-blocks/header/schema",
        {"schema": [*HEADER_SCHEMA, {"name": "tagline", "type": "string", "label": "Tagline"}]},
        format="json",
    )
    api.put("/api/v1/site-blocks/header/data", {"data": {"tagline": "Build faster with Lynkow"}}, format="json")

    response = api.get("/api/v1/site-blocks/header/revisions")

    assert response.status_code == 200
    rows = response.json()["data"]
    assert len(rows) >= 3
    newest = rows[0]
    assert set(newest) >= {"id", "siteBlockId", "changes", "createdAt", "author"}
    assert newest["siteBlockId"] == header["id"]
    assert {"field": "data.tagline", "from": None, "to": "Build faster with Lynkow"} in newest["changes"]
    assert newest["author"]["fullName"] == "jane" and isinstance(newest["author"]["id"], int)
    assert len(newest["createdAt"]) == TIMESTAMP_LENGTH and newest["createdAt"].endswith("Z")
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)


@pytest.mark.django_db
def test_restore_block_revision(api, header):
    api.put("/api/v1/site-blocks/header/data", {"data": {"navLinks": HEADER_DATA["navLinks"][:2]}}, format="json")
    revisions = api.get("/api/v1/site-blocks/header/revisions").json()["data"]
    with_three_links = revisions[-1]["number"]  # the creation, with Home, Blog and Contact

    response = api.post(f"/api/v1/site-blocks/header/revisions/{with_three_links}/restore")

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) >= BLOCK_KEYS | {"data"}
    assert data["slug"] == "header" and data["status"] == "published" and data["locale"] == "en"
    assert data["data"] == HEADER_DATA
    assert [link["label"] for link in data["data"]["navLinks"]] == ["Home", "Blog", "Contact"]
    assert len(api.get("/api/v1/site-blocks/header/revisions").json()["data"]) == len(revisions) + 1

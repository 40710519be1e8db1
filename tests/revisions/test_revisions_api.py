"""The revision endpoints through the HTTP API with real tokens: list, one, compare, restore, not_found."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Revision, Version

from blocks.models import SiteBlock
from revisions.models import BlockRevision
from tests.conftest import build_site, client_with, issue_token
from tests.ids import without_ids

HEADER_SCHEMA = [
    {"name": "logo", "type": "image", "label": "Logo"},
    {"name": "tagline", "type": "string", "label": "Tagline", "maxLength": 1000},
    {
        "name": "navLinks",
        "type": "array",
        "label": "Navigation Links",
        "items": {"type": "object", "fields": [{"name": "label", "type": "string"}, {"name": "url", "type": "url"}]},
    },
]
THREE_LINKS = [
    {"label": "Home", "url": "/"},
    {"label": "Blog", "url": "/blog"},
    {"label": "Contact", "url": "/contact"},
]
HEADER_DATA = {
    "logo": {"url": "https://cdn.lynkow.com/sites/abc123/logo.svg", "alt": "Company Logo"},
    "navLinks": THREE_LINKS,
}


@pytest.fixture
def header(api):
    response = api.post(
        "/api/v1/site-blocks",
        {"name": "Header", "type": "global", "schema": HEADER_SCHEMA, "data": HEADER_DATA},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def revisions(api, slug="header", **params):
    response = api.get(f"/api/v1/site-blocks/{slug}/revisions", params)
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.mark.django_db
def test_reference_example_two_change_entries_by_the_token_user(api, editor, header):
    user = editor[0]
    response = api.put("/api/v1/site-blocks/header/data", {"data": {"navLinks": THREE_LINKS[:2]}}, format="json")
    assert response.status_code == 200
    response = api.put(
        "/api/v1/site-blocks/header/data", {"data": {"tagline": "Build faster with Lynkow"}}, format="json"
    )
    assert response.status_code == 200

    body = revisions(api)
    newest, previous = body["data"][0], body["data"][1]
    assert newest["changes"] == [{"field": "data.tagline", "from": None, "to": "Build faster with Lynkow"}]
    assert previous["changes"] == [{"field": "data.navLinks", "from": "3 items", "to": "2 items"}]
    for entry in (newest, previous):
        assert entry["author"] == {"id": user.pk, "fullName": "Jane Doe"}
        assert entry["siteBlockId"] == header["id"]
        assert entry["createdAt"].endswith("Z") and len(entry["createdAt"]) == 24
        assert {"id", "siteBlockId", "changes", "createdAt", "author", "comment"} <= set(entry)
    assert newest["id"] > previous["id"]
    assert newest["comment"] == "Updated data"
    assert body["meta"] == {"total": 3, "perPage": 15, "currentPage": 1, "lastPage": 1}
    assert body["data"][2]["comment"] == "Created"


@pytest.mark.django_db
def test_list_is_paginated_newest_first(api, header):
    for index in range(4):
        api.put("/api/v1/site-blocks/header/data", {"data": {"tagline": f"t{index}"}}, format="json")
    page = revisions(api, perPage=2, page=2)
    assert page["meta"] == {"total": 5, "perPage": 2, "currentPage": 2, "lastPage": 3}
    numbers = [entry["number"] for entry in page["data"]]
    assert numbers == [3, 2]
    assert page["data"][0]["changes"] == [{"field": "data.tagline", "from": "t0", "to": "t1"}]


@pytest.mark.django_db
def test_list_refuses_unknown_parameters(api, header):
    response = api.get("/api/v1/site-blocks/header/revisions", {"perpage": 2})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"perpage": "Unknown query parameter."}


def _bulk_history(block, count: int) -> None:
    """`count` more revisions of `block`, inserted in bulk (reversion rows included)."""

    start = BlockRevision.objects.filter(block=block).count()
    now = timezone.now()
    created = Revision.objects.bulk_create([Revision(date_created=now, comment="bulk") for _ in range(count)])
    if created and created[0].pk is None:  # backends that do not return ids from bulk inserts
        created = list(Revision.objects.filter(comment="bulk").order_by("pk"))[-count:]
    snapshot = serializers.serialize("json", [block])
    content_type = ContentType.objects.get_for_model(type(block))
    Version.objects.bulk_create(
        Version(
            revision=rev,
            content_type=content_type,
            object_id=str(block.pk),
            db="default",
            format="json",
            serialized_data=snapshot,
            object_repr="x",
        )
        for rev in created
    )
    BlockRevision.objects.bulk_create(
        BlockRevision(
            revision=rev,
            block=block,
            number=start + index + 1,
            comment="bulk",
            created_at=now,
            changes=[{"field": "data.tagline", "from": "a", "to": "b"}],
            author=None,
        )
        for index, rev in enumerate(created)
    )


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_history(api, header):
    block = SiteBlock.objects.get(pk=header["id"])
    _bulk_history(block, 9)
    with CaptureQueriesContext(connection) as small:
        assert revisions(api)["meta"]["total"] == 10
    _bulk_history(block, 9990)
    with CaptureQueriesContext(connection) as large:
        body = revisions(api, page=3)
    assert body["meta"]["total"] == 10_000
    assert len(body["data"]) == 15
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_get_one_revision_full_state(api, header):
    api.put("/api/v1/site-blocks/header/data", {"data": {"tagline": "Hello"}}, format="json")
    first = revisions(api)["data"][-1]
    response = api.get(f"/api/v1/site-blocks/header/revisions/{first['number']}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["number"]) == (first["id"], first["number"]) == (first["id"], 1)
    assert without_ids(data["schema"]) == HEADER_SCHEMA
    assert data["data"] == HEADER_DATA
    assert data["status"] == "draft"
    assert data["name"] == "Header"


@pytest.mark.django_db
def test_compare_gives_full_values(api, header):
    response = api.put(
        "/api/v1/site-blocks/header/data", {"data": {"navLinks": THREE_LINKS[:1], "tagline": "x" * 300}}, format="json"
    )
    assert response.status_code == 200, response.json()
    history = revisions(api)["data"]
    response = api.get(
        "/api/v1/site-blocks/header/revisions/compare", {"from": history[1]["number"], "to": history[0]["number"]}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["changes"] == [
        {"field": "data.navLinks", "from": THREE_LINKS, "to": THREE_LINKS[:1]},
        {"field": "data.tagline", "from": None, "to": "x" * 300},
    ]
    summary = history[0]["changes"]
    assert {"field": "data.navLinks", "from": "3 items", "to": "1 item"} in summary
    tagline = next(entry for entry in summary if entry["field"] == "data.tagline")
    assert len(tagline["to"]) == 200


@pytest.mark.django_db
def test_compare_needs_both_numbers(api, header):
    response = api.get("/api/v1/site-blocks/header/revisions/compare", {"from": 1})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"to": "Required: a revision number of this block."}


@pytest.mark.django_db
def test_revision_of_another_block_or_site_is_not_found(api, header, other_site):
    api.post("/api/v1/site-blocks", {"name": "Footer", "type": "global"}, format="json")
    footer_revision = revisions(api, slug="footer")["data"][0]["id"]
    _, secret = issue_token(other_site, username="max")
    other = client_with(secret)
    other.post("/api/v1/site-blocks", {"name": "Header", "type": "global"}, format="json")
    foreign_revision = revisions(other)["data"][0]["id"]
    own = revisions(api)["data"][0]["number"]
    assert footer_revision > 1 and foreign_revision > 1  # ids; the header has revision number 1 only

    for revision_id in (footer_revision, foreign_revision, 999_999, "9" * 30):
        for method, url in (
            ("get", f"/api/v1/site-blocks/header/revisions/{revision_id}"),
            ("post", f"/api/v1/site-blocks/header/revisions/{revision_id}/restore"),
            ("get", f"/api/v1/site-blocks/header/revisions/compare?from={own}&to={revision_id}"),
        ):
            response = getattr(api, method)(url)
            assert response.status_code == 404, (url, response.json())
            assert response.json()["error"]["code"] == "not_found"
    assert revisions(api)["meta"]["total"] == 1


@pytest.mark.django_db
def test_failed_writes_leave_no_revision(api, header):
    before = BlockRevision.objects.count()
    bad_data = api.put("/api/v1/site-blocks/header/data", {"data": {"tagline": 5}}, format="json")
    assert bad_data.status_code == 422
    bad_schema = api.put("/api/v1/site-blocks/header/schema", {"schema": [{"name": "x"}]}, format="json")
    assert bad_schema.status_code == 422
    stale = api.put(
        "/api/v1/site-blocks/header/data", {"data": {"tagline": "x"}}, format="json", HTTP_IF_MATCH='"1-99"'
    )
    assert stale.status_code == 409
    api.post("/api/v1/site-blocks", {"name": "Footer", "type": "global", "slug": "f"}, format="json")
    taken = api.post("/api/v1/site-blocks", {"name": "Footer", "type": "global", "slug": "f"}, format="json")
    assert taken.status_code == 409
    assert BlockRevision.objects.count() == before + 1  # the footer's creation only
    required = [{"name": "title", "type": "string", "required": True}]
    api.put("/api/v1/site-blocks/f/schema", {"schema": required}, format="json")
    count = BlockRevision.objects.count()
    assert api.post("/api/v1/site-blocks/f/publish").status_code == 422
    assert api.put("/api/v1/site-blocks/f/data?publish=true", {"data": {}}, format="json").status_code == 422
    assert BlockRevision.objects.count() == count == before + 2  # + the footer's new schema


@pytest.mark.django_db
def test_viewer_reads_history_but_cannot_restore(make_client, api, header):
    viewer = make_client(role="viewer", scopes=("read",))
    first = revisions(viewer)["data"][0]["number"]
    response = viewer.post(f"/api/v1/site-blocks/header/revisions/{first}/restore")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.django_db
def test_deleting_a_block_deletes_its_revisions(api, header):
    api.put("/api/v1/site-blocks/header/data", {"data": {"tagline": "x"}}, format="json")
    api.post("/api/v1/site-blocks", {"name": "Footer", "type": "global"}, format="json")
    assert BlockRevision.objects.count() == 3
    assert api.delete("/api/v1/site-blocks/header").status_code == 200
    assert list(BlockRevision.objects.values_list("comment", flat=True)) == ["Created"]
    assert Revision.objects.count() == 1 and Version.objects.count() == 1
    api.post("/api/v1/site-blocks", {"name": "Header", "type": "global"}, format="json")
    assert revisions(api)["meta"]["total"] == 1


@pytest.mark.django_db
def test_other_site_lists_only_its_own(other_site, api, header):
    site2 = build_site("initech", ("en",))
    _, secret = issue_token(site2, username="bob")
    response = client_with(secret).get("/api/v1/site-blocks/header/revisions")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_deleting_a_block_with_a_long_history_deletes_it_all(api, header):
    _bulk_history(SiteBlock.objects.get(pk=header["id"]), 1_200)  # more than two deletion batches
    assert api.delete("/api/v1/site-blocks/header").status_code == 200
    assert not BlockRevision.objects.exists()
    assert Revision.objects.count() == Version.objects.count() == 0


@pytest.mark.django_db
def test_revisions_are_addressed_by_their_number_everywhere(api, header):
    """Issue 21: the list shows `number` beside `id`, and `compare?from=3&to=5` was a 404 though number 3
    existed. Ids and numbers differ once two blocks interleave; every URL takes the number, and an id that is
    no number of this block is not_found."""
    api.post("/api/v1/site-blocks", {"name": "Footer", "type": "global"}, format="json")
    for tagline in ("two", "three", "four", "five"):
        api.put("/api/v1/site-blocks/footer", {"name": f"Footer {tagline}"}, format="json")
        api.put("/api/v1/site-blocks/header/data", {"data": {"tagline": tagline}}, format="json")
    history = revisions(api)["data"]
    assert [entry["number"] for entry in history] == [5, 4, 3, 2, 1]
    by_number = {entry["number"]: entry for entry in history}
    assert by_number[5]["id"] != 5

    response = api.get("/api/v1/site-blocks/header/revisions/3")
    assert response.status_code == 200
    assert (response.json()["data"]["number"], response.json()["data"]["id"]) == (3, by_number[3]["id"])
    assert response.json()["data"]["data"]["tagline"] == "three"

    response = api.get("/api/v1/site-blocks/header/revisions/compare?from=3&to=5")
    assert response.status_code == 200, response.json()
    body = response.json()["data"]
    assert (body["from"]["number"], body["to"]["number"]) == (3, 5)
    assert body["changes"] == [{"field": "data.tagline", "from": "three", "to": "five"}]

    response = api.get(f"/api/v1/site-blocks/header/revisions/{by_number[5]['id']}")
    assert (response.status_code, response.json()) == (
        404,
        {"error": {"code": "not_found", "message": f"No revision number `{by_number[5]['id']}` of this block."}},
    )

    response = api.post("/api/v1/site-blocks/header/revisions/2/restore")
    assert response.status_code == 200, response.json()
    assert response.json()["meta"]["restoredFrom"] == 2
    assert response.json()["data"]["data"]["tagline"] == "two"
    newest = revisions(api)["data"][0]
    assert (newest["number"], newest["comment"]) == (6, "Restored from revision 2")

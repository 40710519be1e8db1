"""The rules around the block endpoints: slugs, paths, immutable fields, If-Match, roles, sites, queries."""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock
from tests.conftest import client_with, issue_token

pytestmark = pytest.mark.django_db


def create(api, **body):
    return api.post("/api/v1/site-blocks", {"type": "global", **body}, format="json")


def test_slug_from_name_with_suffix_on_collision(api):
    assert create(api, name="About Page", type="page", path="/about").json()["data"]["slug"] == "about-page"
    assert create(api, name="About Page", type="page", path="/about-2").json()["data"]["slug"] == "about-page-2"
    assert create(api, name="About  page!", type="page", path="/about-3").json()["data"]["slug"] == "about-page-3"


def test_explicit_taken_slug_is_conflict(api):
    create(api, name="Header")
    response = create(api, name="Other", slug="header")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert response.json()["error"]["fields"] == {"slug": "Taken."}


def test_page_path_rules(api):
    missing = create(api, name="P", type="page")
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"path": "Required for page blocks."}
    no_slash = create(api, name="P", type="page", path="about")
    assert no_slash.json()["error"]["fields"]["path"].startswith("Must start with /")
    on_global = create(api, name="G", path="/g")
    assert on_global.json()["error"]["fields"] == {"path": "Only page blocks have a path."}
    create(api, name="About", type="page", path="/about")
    taken = create(api, name="About again", type="page", path="/about")
    assert taken.status_code == 409 and taken.json()["error"]["fields"] == {"path": "Taken."}


def test_create_reports_every_problem_at_once(api):
    response = create(api, name="", type="nope", tags="x", schema=[{"name": "1bad", "type": "string"}])
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert {"name", "type", "tags"} <= set(fields)
    assert any(key.startswith("schema[0]") for key in fields)


def test_unknown_body_key_and_non_object_body(api):
    response = create(api, name="X", colour="red")
    assert response.status_code == 422 and response.json()["error"]["fields"] == {"colour": "Unknown field."}
    array_body = api.post("/api/v1/site-blocks", [1, 2], format="json")
    assert array_body.status_code == 400 and array_body.json()["error"]["code"] == "bad_request"


def test_patch_changes_name_tags_path_and_refuses_immutable(api):
    create(api, name="About", type="page", path="/about")
    ok = api.patch(
        "/api/v1/site-blocks/about", {"name": "About us", "tags": ["a", "b", "a"], "path": "/us"}, format="json"
    )
    assert ok.status_code == 200
    assert (ok.json()["data"]["name"], ok.json()["data"]["tags"], ok.json()["data"]["path"]) == (
        "About us",
        ["a", "b"],
        "/us",
    )
    same_slug = api.patch("/api/v1/site-blocks/about", {"slug": "about", "name": "About"}, format="json")
    assert same_slug.status_code == 200
    for key, value in [("slug", "other"), ("type", "global"), ("id", 99), ("version", 1), ("locale", "fr")]:
        refused = api.patch("/api/v1/site-blocks/about", {key: value}, format="json")
        assert refused.status_code == 422, key
        assert refused.json()["error"]["code"] == "immutable_field"
        assert refused.json()["error"]["fields"] == {key: "This field cannot be changed."}


def test_if_match_stale_write_changes_nothing(api):
    etag = create(api, name="Header").headers["ETag"]
    fresh = api.patch("/api/v1/site-blocks/header", {"name": "Top"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == 200
    stale = api.patch("/api/v1/site-blocks/header", {"name": "Lost"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_write"
    block = SiteBlock.objects.get(slug="header")
    assert (block.name, block.version) == ("Top", 2)
    assert api.post("/api/v1/site-blocks/header/publish", HTTP_IF_MATCH=etag).status_code == 409
    assert api.delete("/api/v1/site-blocks/header", HTTP_IF_MATCH=etag).status_code == 409
    assert SiteBlock.objects.filter(slug="header").exists()


def test_publish_requires_required_fields_naming_each(api):
    create(
        api,
        name="Hero",
        schema=[
            {"name": "title", "type": "string", "required": True},
            {"name": "cta", "type": "object", "fields": [{"name": "url", "type": "url", "required": True}]},
        ],
        data={"cta": {}},
    )
    response = api.post("/api/v1/site-blocks/hero/publish")
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"data.title", "data.cta.url"}
    assert SiteBlock.objects.get(slug="hero").status == "draft"


def test_data_write_with_publish_flag(api):
    create(api, name="Hero", schema=[{"name": "title", "type": "string", "required": True}])
    response = api.put("/api/v1/site-blocks/hero/data?publish=true", {"data": {"title": "Hi"}}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "published"
    assert SiteBlock.objects.get(slug="hero").published_snapshot["data"] == {"title": "Hi"}


def test_editing_published_block_leaves_live_snapshot(api):
    create(api, name="Hero", schema=[{"name": "title", "type": "string"}], data={"title": "Live"})
    api.post("/api/v1/site-blocks/hero/publish")
    response = api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Draft"}}, format="json")
    assert response.json()["data"]["hasUnpublishedChanges"] is True
    assert SiteBlock.objects.get(slug="hero").published_snapshot["data"] == {"title": "Live"}
    back = api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Live"}}, format="json")
    assert back.json()["data"]["hasUnpublishedChanges"] is False


def test_orphaned_fields_listed_and_removable(api):
    create(
        api,
        name="Hero",
        schema=[{"name": "a", "type": "string"}, {"name": "b", "type": "string"}],
        data={"a": "1", "b": "2"},
    )
    response = api.put("/api/v1/site-blocks/hero/schema", {"schema": [{"name": "a", "type": "string"}]}, format="json")
    assert response.json()["meta"]["orphanedFields"] == ["b"]
    assert response.json()["data"]["data"] == {"a": "1", "b": "2"}
    removed = api.put("/api/v1/site-blocks/hero/data", {"data": {"b": None}}, format="json")
    assert removed.json()["data"]["data"] == {"a": "1"} and removed.json()["meta"]["orphanedFields"] == []


def test_other_site_blocks_are_not_found(api, site, other_site):
    _, foreign_secret = issue_token(other_site, username="bob", role="owner")
    foreign = client_with(foreign_secret)
    create(foreign, name="Secret")
    assert create(api, name="Mine").status_code == 201
    assert [row["slug"] for row in api.get("/api/v1/site-blocks").json()["data"]] == ["mine"]
    for method, url in [
        ("get", "/api/v1/site-blocks/secret"),
        ("patch", "/api/v1/site-blocks/secret"),
        ("delete", "/api/v1/site-blocks/secret"),
        ("put", "/api/v1/site-blocks/secret/data"),
        ("put", "/api/v1/site-blocks/secret/schema"),
        ("post", "/api/v1/site-blocks/secret/publish"),
        ("post", "/api/v1/site-blocks/secret/unpublish"),
        ("get", "/api/v1/site-blocks/secret/json-schema"),
    ]:
        response = getattr(api, method)(url, {}, format="json")
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert SiteBlock.objects.get(slug="secret").version == 1


def test_viewer_reads_but_cannot_write(api, make_client):
    create(api, name="Header")
    viewer = make_client(role="viewer", scopes=("read", "write", "publish"))
    assert viewer.get("/api/v1/site-blocks/header").status_code == 200
    for method, url, body in [
        ("post", "/api/v1/site-blocks", {"name": "X", "type": "global"}),
        ("patch", "/api/v1/site-blocks/header", {"name": "Y"}),
        ("put", "/api/v1/site-blocks/header/data", {"data": {}}),
        ("put", "/api/v1/site-blocks/header/schema", {"schema": []}),
        ("post", "/api/v1/site-blocks/header/publish", {}),
        ("post", "/api/v1/site-blocks/header/unpublish", {}),
        ("delete", "/api/v1/site-blocks/header", {}),
    ]:
        response = getattr(viewer, method)(url, body, format="json")
        assert response.status_code == 403, url
        assert response.json()["error"]["code"] == "forbidden"


def test_scopes_cap_an_editor_token(api, make_client):
    create(api, name="Header")
    read_only = make_client(role="editor", scopes=("read",))
    assert read_only.get("/api/v1/site-blocks/header").status_code == 200
    assert read_only.patch("/api/v1/site-blocks/header", {"name": "Z"}, format="json").status_code == 403
    no_publish = make_client(role="editor", scopes=("read", "write"))
    assert no_publish.post("/api/v1/site-blocks/header/publish").status_code == 403
    assert (
        no_publish.put("/api/v1/site-blocks/header/data?publish=true", {"data": {}}, format="json").status_code == 403
    )


def test_list_filters_search_ordering_and_pages(api):
    for index in range(5):
        create(api, name=f"Block {index}", tags=["odd"] if index % 2 else ["even"])
    create(api, name="Landing", type="page", path="/landing", tags=["even", "promo"])
    api.post("/api/v1/site-blocks/block-1/publish")

    def slugs(query):
        response = api.get(f"/api/v1/site-blocks?{query}")
        assert response.status_code == 200, response.json()
        return [row["slug"] for row in response.json()["data"]]

    assert slugs("type=page") == ["landing"]
    assert slugs("status=published") == ["block-1"]
    assert slugs("tags=promo,odd") == ["block-1", "block-3", "landing"]
    assert slugs("search=land") == ["landing"]
    assert slugs("ordering=-name")[:2] == ["landing", "block-4"]
    page2 = api.get("/api/v1/site-blocks?perPage=4&page=2").json()
    assert (
        page2["meta"] == {"total": 6, "perPage": 4, "currentPage": 2, "lastPage": 2, "nextCursor": None}
        and len(page2["data"]) == 2
    )
    past = api.get("/api/v1/site-blocks?perPage=4&page=9").json()
    meta = {"total": 6, "perPage": 4, "currentPage": 9, "lastPage": 2, "nextCursor": None}
    assert past == {"data": [], "meta": meta}
    assert api.get("/api/v1/site-blocks?perPage=1000").json()["meta"]["perPage"] == 100
    for bad in ["type=x", "ordering=size", "page=0", "perPage=abc", "colour=red"]:
        response = api.get(f"/api/v1/site-blocks?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "bad_request"


def test_list_query_count_is_constant(api, django_assert_num_queries):
    for index in range(30):
        create(api, name=f"Block {index}", tags=["t"])
    api.get("/api/v1/site-blocks")  # warm: token last_used_at written once
    with django_assert_num_queries(3):  # token + count + page
        assert len(api.get("/api/v1/site-blocks?perPage=5").json()["data"]) == 5
    with django_assert_num_queries(3):
        assert len(api.get("/api/v1/site-blocks?perPage=100").json()["data"]) == 30


def test_single_block_read_and_write_query_counts(api, django_assert_max_num_queries):
    create(api, name="Header", schema=[{"name": "t", "type": "string"}])
    api.get("/api/v1/site-blocks/header")
    with django_assert_max_num_queries(2):
        api.get("/api/v1/site-blocks/header")
    with django_assert_max_num_queries(12):
        assert api.put("/api/v1/site-blocks/header/data", {"data": {"t": "x"}}, format="json").status_code == 200


def test_json_schema_endpoint(api):
    create(api, name="Header", schema=[{"name": "title", "type": "string", "maxLength": 10}])
    response = api.get("/api/v1/site-blocks/header/json-schema")
    assert response.status_code == 200
    compiled = response.json()["data"]
    assert compiled["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert compiled["properties"]["title"]["maxLength"] == 10


def test_locale_copy_addressed_with_query_param(api, site):
    create(api, name="Header", locale="fr")
    assert api.get("/api/v1/site-blocks/header").status_code == 404
    assert api.get("/api/v1/site-blocks/header?locale=fr").json()["data"]["locale"] == "fr"
    unknown = create(api, name="X", locale="de")
    assert unknown.status_code == 422 and "locale" in unknown.json()["error"]["fields"]

"""Issue 18 item 5: shared schemas (block templates), through HTTP.

A template followed by a block in three locales (en the source, fr and es copies, published) is changed with a
rename and a type change: the dry run predicts per block and locale what the write then does and writes nothing;
the write carries every value in every copy, bumps the template and the followers' template version, keeps the
live answer until publish; a failure in one follower writes nothing at all. A follower's own schema cannot be
written; a template with followers cannot be deleted until they are detached; roles, If-Match, envelopes.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import RestrictedError
from django.test.utils import CaptureQueriesContext

from blocks import events
from blocks.models import SiteBlock
from blueprints.models import BlockTemplate
from cms import errors
from revisions.models import BlockRevision
from tests.hostile.values import fresh_delivery_cache

BLOCKS = "/api/v1/site-blocks"
TEMPLATES = "/api/v1/templates"
DELIVERY = "/api/v1/delivery/acme"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures(fresh_delivery_cache.__name__)]

SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {"name": "intro", "type": "string"},
    {"name": "price", "type": "number", "localized": False},
]


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def state() -> list:
    """What a refused or dry-run change must leave as it is: templates, every block row, the revision count."""
    rows = SiteBlock.objects.order_by("pk").values_list(
        "pk", "version", "schema", "data", "translation_hashes", "published_snapshot", "template_ref"
    )
    templates = BlockTemplate.objects.order_by("pk").values_list("pk", "version", "schema", "name")
    return [*rows, *templates, BlockRevision.objects.count()]


@pytest.fixture
def template(api) -> dict:
    body = {"name": "Landing page", "description": "A campaign page", "schema": SCHEMA}
    return ok(api.post(TEMPLATES, body, format="json"), 201)["data"]


@pytest.fixture
def follower(api, template) -> dict:
    body = {
        "name": "Spring",
        "type": "global",
        "template": "landing-page",
        "data": {"title": "Spring", "intro": "Hi", "price": 10},
    }
    ok(api.post(BLOCKS, body, format="json"), 201)
    ok(api.post(f"{BLOCKS}/spring/publish", format="json"))
    for locale in ("fr", "es"):
        ok(api.post(f"{BLOCKS}/spring/copy-to-locale", {"locale": locale}, format="json"))
    ok(api.put(f"{BLOCKS}/spring/data?locale=fr", {"data": {"title": "Printemps", "intro": "Salut"}}, format="json"))
    return ok(api.get(f"{BLOCKS}/spring"))["data"]


def changed_schema(current: list[dict]) -> list[dict]:
    """intro → lede (a rename), price: number → string (a type change)."""
    by_name = {f["name"]: f for f in current}
    return [
        by_name["title"],
        {"id": by_name["intro"]["id"], "name": "lede", "type": "string"},
        {"id": by_name["price"]["id"], "name": "price", "type": "string", "localized": False},
    ]


def test_a_template_is_created_listed_and_read(api, template):
    assert template["slug"] == "landing-page" and template["version"] == 1 and template["followers"] == 0
    assert all(len(field["id"]) >= 8 for field in template["schema"])
    listed = ok(api.get(TEMPLATES))
    assert listed["meta"]["total"] == 1
    assert listed["data"][0] == {k: v for k, v in template.items() if k != "schema"}
    got = api.get(f"{TEMPLATES}/landing-page")
    assert got["ETag"] == f'"{template["id"]}-1"'
    assert got.json() == {"data": template, "meta": {"followedBy": []}}


def test_a_block_created_from_a_template_has_its_schema_and_says_so(api, template, follower):
    assert follower["schema"] == template["schema"]
    assert follower["template"] == {"slug": "landing-page", "version": 1}
    for locale in ("fr", "es"):
        assert ok(api.get(f"{BLOCKS}/spring?locale={locale}"))["data"]["template"] == follower["template"]
    live = ok(api.get(f"{DELIVERY}/blocks/spring"))["data"]
    assert live["template"] == {"slug": "landing-page", "version": 1}
    got = ok(api.get(f"{TEMPLATES}/landing-page"))
    assert got["data"]["followers"] == 3
    assert got["meta"]["followedBy"] == [
        {"slug": "spring", "locale": locale, "version": 1} for locale in ("en", "es", "fr")
    ]
    listed = ok(api.get(BLOCKS))["data"]
    assert listed[0]["template"] == {"slug": "landing-page", "version": 1}


def test_changing_the_template_carries_every_value_and_the_dry_run_said_so(
    api, template, follower, fresh_delivery_cache
):
    schema = changed_schema(template["schema"])
    before = state()
    dry = ok(
        api.put(f"{TEMPLATES}/landing-page?dryRun=true", {"name": "Landing page", "schema": schema}, format="json")
    )
    assert state() == before
    report = dry["meta"]["templateChange"]
    assert report["dryRun"] is True
    assert [(f["from"], f["to"], f["changes"]) for f in report["fields"]] == [
        ("intro", "lede", ["renamed"]),
        ("price", "price", ["typeChanged"]),
    ]
    assert [b["slug"] for b in report["blocks"]] == ["spring"]
    copies = {c["locale"]: c for c in report["blocks"][0]["copies"]}
    assert list(copies) == ["en", "es", "fr"]
    assert copies["en"]["moved"] == [{"from": "intro", "to": "lede"}]
    assert copies["en"]["converted"] == [{"from": "price", "to": "price", "fromType": "number", "toType": "string"}]
    assert copies["fr"]["moved"] == [{"from": "intro", "to": "lede"}]

    revisions = BlockRevision.objects.count()
    response = api.put(
        f"{TEMPLATES}/landing-page",
        {"name": "Landing page", "schema": schema},
        format="json",
        HTTP_IF_MATCH=f'"{template["id"]}-1"',
    )
    answer = ok(response)
    assert response["ETag"] == f'"{template["id"]}-2"'
    assert answer["data"]["version"] == 2
    done = answer["meta"]["templateChange"]
    assert done["dryRun"] is False
    assert {**done, "dryRun": True} == report  # the dry run predicted exactly what happened
    assert BlockRevision.objects.count() == revisions + 3  # one revision per locale copy
    en = ok(api.get(f"{BLOCKS}/spring"))["data"]
    fr = ok(api.get(f"{BLOCKS}/spring?locale=fr"))["data"]
    assert en["data"] == {"title": "Spring", "lede": "Hi", "price": "10"}
    assert fr["data"]["lede"] == "Salut" and fr["data"]["price"] == "10"
    assert en["schema"] == fr["schema"] == answer["data"]["schema"]
    assert en["template"] == fr["template"] == {"slug": "landing-page", "version": 2}
    assert en["hasUnpublishedChanges"] is True
    # The live answer is unchanged until the next publish, and says the version it follows.
    live = ok(api.get(f"{DELIVERY}/blocks/spring"))["data"]
    assert live["data"] == {"title": "Spring", "intro": "Hi", "price": 10}
    assert live["template"] == {"slug": "landing-page", "version": 1}
    ok(api.post(f"{BLOCKS}/spring/publish", format="json"))
    fresh_delivery_cache()  # the test's transaction never commits, so the after-commit invalidation never runs
    live = ok(api.get(f"{DELIVERY}/blocks/spring"))["data"]
    assert live["data"]["lede"] == "Hi" and live["template"] == {"slug": "landing-page", "version": 2}


def test_a_failure_in_one_follower_writes_nothing(api, template, follower, subscribe):
    def fail_on_spanish(batch):
        if any(event.locale == "es" for event in batch):
            raise errors.Conflict("A subscriber refused the Spanish copy.")

    subscribe(events.recorded, fail_on_spanish)
    before = state()
    response = api.put(
        f"{TEMPLATES}/landing-page",
        {"name": "Landing page", "schema": changed_schema(template["schema"])},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {"error": {"code": "conflict", "message": "A subscriber refused the Spanish copy."}}
    assert state() == before


def test_a_followers_own_schema_write_is_refused_naming_the_template(api, template, follower):
    before = state()
    response = api.put(f"{BLOCKS}/spring/schema", {"schema": SCHEMA}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "This block follows the template `landing-page` (version 1): its schema is the template's. "
            "Change the template (PUT /api/v1/templates/landing-page) or detach the block from it first.",
            "fields": {"schema": "Follows a template."},
        }
    }
    assert state() == before


def test_deleting_a_followed_template_is_refused_until_its_blocks_are_detached(api, template, follower):
    response = api.delete(f"{TEMPLATES}/landing-page")
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "conflict",
            "message": "Blocks follow this template (`spring`); detach them first "
            "(POST /api/v1/site-blocks/{slug}/detach-template).",
        }
    }
    detached = ok(api.post(f"{BLOCKS}/spring/detach-template", format="json"))["data"]
    assert detached["template"] is None and detached["schema"] == follower["schema"]
    assert ok(api.get(f"{BLOCKS}/spring?locale=fr"))["data"]["template"] is None
    # Now its own: a schema write is accepted.
    ok(api.put(f"{BLOCKS}/spring/schema", {"schema": follower["schema"][:2]}, format="json"))
    assert ok(api.delete(f"{TEMPLATES}/landing-page")) == {"message": "Template deleted"}
    assert api.get(f"{TEMPLATES}/landing-page").json() == {
        "error": {"code": "not_found", "message": "No template `landing-page` in this site."}
    }


def test_detaching_a_block_that_follows_nothing_is_a_conflict(api):
    ok(api.post(BLOCKS, {"name": "Own", "type": "global"}, format="json"), 201)
    assert api.post(f"{BLOCKS}/own/detach-template", format="json").json() == {
        "error": {"code": "conflict", "message": "This block follows no template."}
    }


def test_problems_are_named_each_with_its_path(api, template):
    response = api.post(
        TEMPLATES, {"name": " ", "slug": "Bad Slug", "schema": [{"name": "x", "type": "nope"}]}, format="json"
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == {"name", "slug", "schema[0].type"}
    assert error["fields"]["name"] == "Required: a non-empty string."
    response = api.post(BLOCKS, {"name": "X", "type": "global", "template": "nope"}, format="json")
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": response.json()["error"]["message"],
            "fields": {"template": "No template `nope` in this site."},
        }
    }
    response = api.post(
        BLOCKS, {"name": "X", "type": "global", "template": "landing-page", "schema": []}, format="json"
    )
    assert response.json()["error"]["fields"] == {
        "schema": "Give a schema or a template, not both: a block that follows a template has its schema."
    }
    response = api.patch(f"{TEMPLATES}/landing-page", {"slug": "other", "version": 1}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "immutable_field",
            "message": "These fields cannot be changed: slug.",
            "fields": {"slug": "This field cannot be changed."},
        }
    }
    taken = api.post(TEMPLATES, {"name": "Other", "slug": "landing-page"}, format="json")
    assert taken.status_code == 409 and taken.json()["error"]["fields"] == {"slug": "Taken."}
    assert ok(api.post(TEMPLATES, {"name": "Landing page"}, format="json"), 201)["data"]["slug"] == "landing-page-2"


def test_if_match_and_roles(api, make_client, template):
    stale = api.patch(f"{TEMPLATES}/landing-page", {"description": "New"}, format="json", HTTP_IF_MATCH='"1-99"')
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_write"
    patched = ok(api.patch(f"{TEMPLATES}/landing-page", {"description": "New"}, format="json"))
    assert patched["data"]["version"] == 2 and patched["data"]["description"] == "New"
    # The same again writes nothing: no version bump.
    assert ok(api.patch(f"{TEMPLATES}/landing-page", {"description": "New"}, format="json"))["data"]["version"] == 2
    viewer = make_client("viewer")
    assert ok(viewer.get(TEMPLATES))["meta"]["total"] == 1
    assert ok(viewer.get(f"{TEMPLATES}/landing-page"))["data"]["slug"] == "landing-page"
    for response in (
        viewer.post(TEMPLATES, {"name": "Mine"}, format="json"),
        viewer.patch(f"{TEMPLATES}/landing-page", {"name": "Mine"}, format="json"),
        viewer.delete(f"{TEMPLATES}/landing-page"),
    ):
        assert response.status_code == 403, response.json()
        assert response.json()["error"]["code"] == "forbidden"
    translator = make_client("translator")
    assert translator.post(TEMPLATES, {"name": "Mine"}, format="json").status_code == 403


def test_a_template_change_costs_the_same_queries_however_many_fields_change(api, template, follower):
    def queries(schema):
        with CaptureQueriesContext(connection) as captured:
            ok(api.put(f"{TEMPLATES}/landing-page", {"name": "Landing page", "schema": schema}, format="json"))
        return len(captured)

    current = ok(api.get(f"{TEMPLATES}/landing-page"))["data"]["schema"]
    one = [*current[:1], {**current[1], "name": "one"}, current[2]]
    first = queries(one)
    three = [{**current[0], "name": "t2"}, {**current[1], "name": "two"}, {**current[2], "name": "p2"}]
    assert queries(three) == first


def test_restoring_a_revision_with_another_schema_keeps_a_followers_schema(api, template, follower):
    ok(
        api.put(
            f"{TEMPLATES}/landing-page",
            {"name": "Landing page", "schema": changed_schema(template["schema"])},
            format="json",
        )
    )
    today = ok(api.get(f"{BLOCKS}/spring"))["data"]["schema"]
    before = state()

    with_schema = api.post(f"{BLOCKS}/spring/revisions/1/restore?restoreSchema=true", format="json")
    assert with_schema.status_code == 409
    assert with_schema.json()["error"]["fields"] == {"schema": "Follows a template."}
    assert state() == before

    # The data alone comes back under the template's schema of today (restore's default).
    data_only = api.post(f"{BLOCKS}/spring/revisions/1/restore", format="json")
    assert data_only.status_code == 200, data_only.json()
    assert data_only.json()["data"]["schema"] == today


def test_a_followed_template_is_kept_by_the_database_too_but_goes_with_its_site(api, site, template, follower):
    with pytest.raises(RestrictedError):
        BlockTemplate.objects.filter(slug="landing-page").delete()
    site.delete()  # a site takes its templates and the blocks that follow them (no public way in: a shell's)
    assert not BlockTemplate.objects.exists() and not SiteBlock.objects.exists()


def test_an_empty_body_names_the_missing_name(api):
    response = api.post(TEMPLATES, {}, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The template is not valid.",
            "fields": {"name": "Required: a non-empty string."},
        }
    }

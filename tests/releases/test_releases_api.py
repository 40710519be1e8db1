"""Releases through HTTP: items from several blocks and locales go live in one transaction or not at all, are
rolled back as a unit, flag blocks changed after review, and follow the roles (releases/)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from blocks.models import SiteBlock
from revisions.models import BlockRevision

# Committed transactions, as in production: the delivery cache hears of each publish after its commit.
pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = [
    {"name": "title", "type": "string", "required": True, "localized": True},
    {"name": "body", "type": "text", "localized": True},
]
DELIVERY = "/api/v1/delivery/acme/blocks"


def create(api: APIClient, name: str, title: str | None, *, publish: bool = False) -> dict:
    data = {"title": title} if title is not None else {}
    response = api.post(
        "/api/v1/site-blocks", {"name": name, "type": "global", "schema": SCHEMA, "data": data}, format="json"
    )
    assert response.status_code == 201, response.content
    slug = response.json()["data"]["slug"]
    if publish:
        assert api.post(f"/api/v1/site-blocks/{slug}/publish", {}, format="json").status_code == 200
    return response.json()["data"]


def copy_to_fr(api: APIClient, slug: str, title: str | None) -> None:
    assert api.post(f"/api/v1/site-blocks/{slug}/copy-to-locale", {"locale": "fr"}, format="json").status_code == 200
    if title is not None:
        response = api.put(f"/api/v1/site-blocks/{slug}/data?locale=fr", {"data": {"title": title}}, format="json")
        assert response.status_code == 200, response.content


def new_release(api: APIClient, name: str = "Spring campaign") -> tuple[int, str]:
    response = api.post("/api/v1/releases", {"name": name}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]["id"], response["ETag"]


def add(api: APIClient, release: int, slug: str, locale: str = "en", action: str = "publish") -> dict:
    body = {"slug": slug, "locale": locale, "action": action}
    response = api.post(f"/api/v1/releases/{release}/items", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def live_title(slug: str, locale: str = "en") -> str | None:
    response = APIClient().get(f"{DELIVERY}/{slug}?locale={locale}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    body = response.json()
    return body["data"]["data"]["title"] if body["meta"]["locale"] == locale else None


@pytest.fixture
def campaign(api):
    """A release of 7 locale copies: header (live as "Old header"), footer, hero, pricing in en, and hero,
    pricing, footer in fr; the fr pricing has no title yet (its required field is missing)."""
    create(api, "Header", "Old header", publish=True)
    api.put("/api/v1/site-blocks/header/data", {"data": {"title": "New header"}}, format="json")
    for name in ("Footer", "Hero", "Pricing"):
        create(api, name, f"{name} en")
    copy_to_fr(api, "hero", "Héros")
    copy_to_fr(api, "footer", "Pied")
    copy_to_fr(api, "pricing", None)
    api.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"title": None}}, format="json")
    release, _ = new_release(api)
    for slug in ("header", "footer", "hero", "pricing"):
        add(api, release, slug)
    for slug in ("hero", "pricing", "footer"):
        add(api, release, slug, "fr")
    return release


def test_a_release_with_an_invalid_item_publishes_nothing_and_names_the_item_and_field(api, campaign):
    revisions_before = BlockRevision.objects.count()

    response = api.post(f"/api/v1/releases/{campaign}/publish", {}, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "validation_failed",
            "message": "The release cannot be published until these fields are fixed.",
            "fields": {"items[5].data.title": "`pricing` (fr): Must be present and non-empty."},
        }
    }
    assert live_title("header") == "Old header" and live_title("hero") is None and live_title("hero", "fr") is None
    assert BlockRevision.objects.count() == revisions_before
    assert api.get(f"/api/v1/releases/{campaign}").json()["data"]["status"] == "open"


def test_fixed_it_publishes_all_seven_in_one_go_and_revisions_name_the_release(api, campaign):
    api.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"title": "Tarifs"}}, format="json")
    add(api, campaign, "pricing", "fr")  # reviewed again: its new version is the one to publish
    etag = api.get(f"/api/v1/releases/{campaign}")["ETag"]

    response = api.post(f"/api/v1/releases/{campaign}/publish", {}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["status"] == "published" and data["publishedAt"] and data["itemCount"] == 7
    assert [live_title(s) for s in ("header", "footer", "hero", "pricing")] == [
        "New header",
        "Footer en",
        "Hero en",
        "Pricing en",
    ]
    assert [live_title(s, "fr") for s in ("hero", "pricing", "footer")] == ["Héros", "Tarifs", "Pied"]
    latest = {
        (block.slug, block.locale): BlockRevision.objects.filter(block=block).order_by("-number").first().comment
        for block in SiteBlock.objects.all()
    }
    assert set(latest.values()) == {"Published with release “Spring campaign”"}


def test_rollback_puts_back_what_was_live_before_for_every_item(api, campaign):
    api.put("/api/v1/site-blocks/pricing/data?locale=fr", {"data": {"title": "Tarifs"}}, format="json")
    assert api.post(f"/api/v1/releases/{campaign}/publish", {"acceptChanges": True}, format="json").status_code == 200

    response = api.post(f"/api/v1/releases/{campaign}/rollback", {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["data"]["status"] == "rolled_back" and response.json()["data"]["rolledBackAt"]
    assert live_title("header") == "Old header"  # its earlier snapshot, live again
    assert [live_title(s) for s in ("footer", "hero", "pricing")] == [None, None, None]
    assert [live_title(s, "fr") for s in ("hero", "pricing", "footer")] == [None, None, None]
    header = api.get("/api/v1/site-blocks/header").json()
    assert header["data"]["data"]["title"] == "New header"  # the working copy keeps the edit
    assert header["data"]["hasUnpublishedChanges"] is True
    again = api.post(f"/api/v1/releases/{campaign}/rollback", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"] == {"code": "conflict", "message": "Only a published release can be rolled back."}


def test_a_block_changed_after_it_was_added_is_flagged_and_refused_unless_accepted(api):
    create(api, "Hero", "Hero en")
    release, _ = new_release(api)
    add(api, release, "hero")
    api.put("/api/v1/site-blocks/hero/data", {"data": {"title": "Edited later"}}, format="json")

    shown = api.get(f"/api/v1/releases/{release}").json()["data"]["items"][0]
    refused = api.post(f"/api/v1/releases/{release}/publish", {}, format="json")

    assert shown["changedSinceAdded"] is True and shown["currentVersion"] > shown["versionAdded"]
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "release_conflict",
        "message": "Blocks of this release changed after they were added: review them, or publish with acceptChanges.",
        "fields": {
            "items[0]": f"`hero` (en) changed after it was added (version {shown['versionAdded']}, now "
            f"{shown['currentVersion']}): add it again once reviewed, or publish with `acceptChanges: true`."
        },
    }
    assert live_title("hero") is None
    accepted = api.post(f"/api/v1/releases/{release}/publish", {"acceptChanges": True}, format="json")
    assert accepted.status_code == 200 and live_title("hero") == "Edited later"


def test_an_unpublish_item_takes_the_block_off_and_rollback_brings_it_back(api):
    create(api, "Banner", "Sale", publish=True)
    release, _ = new_release(api, "End of sale")
    add(api, release, "banner", action="unpublish")

    assert api.post(f"/api/v1/releases/{release}/publish", {}, format="json").status_code == 200
    assert live_title("banner") is None
    assert api.post(f"/api/v1/releases/{release}/rollback", {}, format="json").status_code == 200
    assert live_title("banner") == "Sale"


def test_if_match_guards_the_release(api):
    create(api, "Hero", "Hero en")
    release, etag = new_release(api)
    add(api, release, "hero")  # bumps the release's version

    stale = api.post(f"/api/v1/releases/{release}/publish", {}, format="json", HTTP_IF_MATCH=etag)
    malformed = api.patch(f"/api/v1/releases/{release}", {"name": "X"}, format="json", HTTP_IF_MATCH="7-2")

    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_write"
    assert malformed.status_code == 400 and malformed.json()["error"]["fields"] == {
        "If-Match": 'Must be a quoted ETag such as "7-2", as the ETag header sent it.'
    }
    assert live_title("hero") is None


def test_a_published_release_is_closed_to_changes_and_kept(api):
    create(api, "Hero", "Hero en")
    release, _ = new_release(api)
    add(api, release, "hero")
    api.post(f"/api/v1/releases/{release}/publish", {}, format="json")

    adding = api.post(f"/api/v1/releases/{release}/items", {"slug": "hero"}, format="json")
    deleting = api.delete(f"/api/v1/releases/{release}")

    message = "This release was published already: create a new release for further changes."
    assert adding.status_code == 409 and adding.json()["error"] == {"code": "conflict", "message": message}
    assert deleting.status_code == 409 and deleting.json()["error"]["code"] == "conflict"


def test_roles_editors_manage_translators_add_their_locales_viewers_read(api, make_client):
    create(api, "Hero", "Hero en")
    copy_to_fr(api, "hero", "Héros")
    release, _ = new_release(api)
    translator = make_client(role="translator", scopes=("read", "write"))
    viewer = make_client(role="viewer", scopes=("read",))

    assert (
        translator.post(
            f"/api/v1/releases/{release}/items", {"slug": "hero", "locale": "fr"}, format="json"
        ).status_code
        == 201
    )
    own_default = translator.post(f"/api/v1/releases/{release}/items", {"slug": "hero"}, format="json")
    publishing = translator.post(f"/api/v1/releases/{release}/publish", {}, format="json")
    creating = viewer.post("/api/v1/releases", {"name": "Mine"}, format="json")

    assert own_default.status_code == 403 and own_default.json()["error"] == {
        "code": "forbidden",
        "message": "Your role adds only copies in the locales you translate to a release.",
    }
    assert publishing.status_code == 403 and publishing.json()["error"]["message"] == (
        "Only editors and owners create, change, publish and roll back releases."
    )
    assert creating.status_code == 403
    assert viewer.get(f"/api/v1/releases/{release}").json()["data"]["itemCount"] == 1


def test_bad_bodies_are_named(api):
    release, _ = new_release(api)

    nameless = api.post("/api/v1/releases", {"name": "  "}, format="json")
    bad_item = api.post(f"/api/v1/releases/{release}/items", {"slug": 3, "action": "delete"}, format="json")
    unknown = api.post(f"/api/v1/releases/{release}/items", {"slug": "nope"}, format="json")
    empty = api.post(f"/api/v1/releases/{release}/publish", {}, format="json")
    other = api.get("/api/v1/releases/999999")

    assert nameless.status_code == 422 and nameless.json()["error"]["fields"] == {
        "name": "Required: a non-empty string."
    }
    assert bad_item.status_code == 422 and set(bad_item.json()["error"]["fields"]) == {"slug", "action"}
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert empty.status_code == 422 and empty.json()["error"]["fields"] == {"items": "Add blocks."}
    assert other.status_code == 404 and other.json()["error"] == {
        "code": "not_found",
        "message": "No release 999999 on this site.",
    }


def test_reading_a_release_costs_the_same_queries_whatever_its_size(api):
    release, _ = new_release(api)
    counts = []
    for index in range(2):
        for n in range(5):
            create(api, f"Block {index} {n}", "t")
            add(api, release, f"block-{index}-{n}")
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/releases/{release}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

"""The sync feed through HTTP (`GET /api/v1/delivery/{site}/sync`): a full sync pages through every published
block of every locale, a cursor then lists only what changed (upserts and tombstones) in sequence order, and
expired, foreign and malformed cursors answer their envelopes. The concurrent-writers proof is in
`test_sync_concurrency.py` (PostgreSQL)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Site
from accounts.permissions import Actor
from blocks import services
from blocks.models import SiteBlock
from delivery.cache import invalidate_site
from delivery.models import SyncEntry
from locales.services import site_locale_disable, site_locale_enable
from scheduling.performing import perform_due_schedules
from scheduling.services import block_schedule
from tests.conftest import client_with, issue_token
from tests.media.files import png

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/delivery/acme/sync"


@pytest.fixture
def reader() -> APIClient:
    return APIClient()


def sync_all(reader: APIClient, cursor: str | None = None, *, limit: int = 100, url: str = SYNC):
    """Every item until `hasMore` is false, the pages' sizes and the cursor to keep."""
    items, sizes = [], []
    while True:
        params: dict[str, object] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        response = reader.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["data"]
        sizes.append(len(body["data"]))
        cursor = body["meta"]["cursor"]
        if not body["meta"]["hasMore"]:
            return items, sizes, cursor


def brief(items: list[dict]) -> list[tuple]:
    return [(item["op"], item["slug"], item["locale"]) for item in items]


def test_a_full_sync_pages_through_every_published_block_of_every_locale(site, publish, write, reader):
    publish("Hero", {"title": "Hello"})
    publish("Hero", {"title": "Bonjour"}, locale="fr")
    publish("About", {"title": "About"}, type="page", path="/about")
    write(services.block_create, name="Draft", type="global", schema=[], data={})  # never published: not listed
    gone = publish("Gone", {"title": "Gone"})
    write(services.block_unpublish, block=gone, expected_version=None)

    items, sizes, _ = sync_all(reader, limit=2)

    assert brief(items) == [("upsert", "hero", "en"), ("upsert", "hero", "fr"), ("upsert", "about", "en")]
    assert sizes == [2, 1]
    sequences = [item["sequence"] for item in items]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    for item in items:  # exactly what the block detail answers under "data", in the item's own locale
        detail = reader.get(f"/api/v1/delivery/acme/blocks/{item['slug']}?locale={item['locale']}").json()
        assert item["block"] == detail["data"]
        assert item["kind"] == "block"


def test_a_cursor_lists_only_what_changed_since_upserts_and_tombstones_in_order(site, publish, write, reader):
    hero = publish("Hero", {"title": "Hello"})
    about = publish("About", {"title": "About"})
    footer = publish("Footer", {"title": "Footer"})
    draft = write(services.block_create, name="Draft", type="global", schema=[], data={})
    _, _, cursor = sync_all(reader)

    assert sync_all(reader, cursor)[0] == []  # nothing changed
    write(services.block_update_data, block=draft, data={}, expected_version=None)  # a draft's edit: nothing live
    write(services.block_update_data, block=hero, data={"title": "Hi"}, expected_version=None)  # working copy only
    hero = SiteBlock.objects.get(pk=hero.pk)
    write(services.block_publish, block=hero, expected_version=None)
    write(services.block_unpublish, block=about, expected_version=None)
    write(services.block_delete, block=SiteBlock.objects.get(pk=footer.pk), expected_version=None)
    write(services.block_delete, block=SiteBlock.objects.get(pk=draft.pk), expected_version=None)  # never listed
    publish("News", {"title": "News"})

    items, _, cursor = sync_all(reader, cursor)

    assert brief(items) == [
        ("upsert", "hero", "en"),  # the data edit of a published block is listed too: its row changed
        ("delete", "about", "en"),
        ("delete", "footer", "en"),
        ("upsert", "news", "en"),
    ]
    assert [item["block"] for item in items if item["op"] == "delete"] == [None, None]
    assert items[0]["block"]["data"] == {"title": "Hi"}
    sequences = [item["sequence"] for item in items]
    assert sequences == sorted(sequences)
    assert sync_all(reader, cursor)[0] == []
    # a full sync lists no tombstones, only what is published now
    assert brief(sync_all(reader)[0]) == [("upsert", "hero", "en"), ("upsert", "news", "en")]


def test_a_block_changed_twice_is_listed_once_in_its_last_state(site, publish, write, reader):
    hero = publish("Hero", {"title": "One"})
    _, _, cursor = sync_all(reader)
    write(services.block_update_meta, block=hero, changes={"name": "Hero 2"}, expected_version=None)
    write(services.block_update_meta, block=hero, changes={"name": "Hero 3"}, expected_version=None)

    items, _, _ = sync_all(reader, cursor)

    assert brief(items) == [("upsert", "hero", "en")] and items[0]["block"]["name"] == "Hero 3"


def test_a_full_sync_under_way_hears_of_deletes_made_meanwhile(site, publish, write, reader):
    first = publish("First", {"title": "1"})
    publish("Second", {"title": "2"})
    publish("Third", {"title": "3"})
    page = reader.get(SYNC, {"limit": 1}).json()
    assert brief(page["data"]) == [("upsert", "first", "en")] and page["meta"]["hasMore"] is True
    write(services.block_unpublish, block=first, expected_version=None)

    items, _, _ = sync_all(reader, page["meta"]["cursor"], limit=1)

    assert brief(items) == [("upsert", "second", "en"), ("upsert", "third", "en"), ("delete", "first", "en")]


def test_disabling_a_locale_sends_tombstones_and_enabling_it_brings_its_blocks_back(
    site, publish, reader, django_capture_on_commit_callbacks
):
    publish("Hero", {"title": "Hello"})
    publish("Hero", {"title": "Hola"}, locale="es")
    publish("About", {"title": "Acerca"}, locale="es")
    _, _, cursor = sync_all(reader)
    owner = Actor(user=None, site=site, role="owner")

    with django_capture_on_commit_callbacks(execute=True):
        site_locale_disable(actor=owner, code="es")
    items, _, cursor = sync_all(reader, cursor)
    assert brief(items) == [("delete", "hero", "es"), ("delete", "about", "es")]
    assert brief(sync_all(reader)[0]) == [("upsert", "hero", "en")]

    with django_capture_on_commit_callbacks(execute=True):
        site_locale_enable(actor=owner, code="es")
    items, _, _ = sync_all(reader, cursor)
    assert brief(items) == [("upsert", "hero", "es"), ("upsert", "about", "es")]
    assert items[0]["block"]["data"] == {"title": "Hola"}


def test_a_scheduled_unpublish_reaches_the_feed_when_the_scheduler_performs_it(site, publish, write, reader):
    hero = publish("Hero", {"title": "Hello"})
    _, _, cursor = sync_all(reader)
    due = timezone.now() + timedelta(seconds=0.5)
    write(block_schedule, block=hero, expected_version=None, unpublish_at=due)
    items, _, cursor = sync_all(reader, cursor)
    assert brief(items) == [("upsert", "hero", "en")]  # the schedule is a write of the published block
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.05)

    # due, the scheduler not run yet: the delivery API already hides it; the feed lists changes in the order
    # they were written, so its tombstone comes with the scheduler's unpublish (the worker sweeps at the due time)
    assert reader.get("/api/v1/delivery/acme/blocks/hero").status_code == 404
    assert brief(sync_all(reader)[0]) == []  # a full sync started now does not list it

    perform_due_schedules()  # the firing goes through the one write path
    items, _, _ = sync_all(reader, cursor)
    assert brief(items) == [("delete", "hero", "en")]
    assert SiteBlock.objects.get(pk=hero.pk).status == "draft"


def test_an_expired_cursor_is_410_and_asks_for_a_full_sync(site, publish, write, reader, settings):
    hero = publish("Hero", {"title": "Hello"})
    _, _, cursor = sync_all(reader)
    write(services.block_unpublish, block=hero, expected_version=None)
    SyncEntry.objects.filter(op="delete").update(changed_at=SyncEntry.objects.get().changed_at - timedelta(days=31))
    publish("Kept", {"title": "Kept"})
    kept = publish("Recent", {"title": "Recent"})
    write(services.block_unpublish, block=kept, expected_version=None)  # a recent tombstone: kept

    call_command("prune_sync_log")

    assert list(SyncEntry.objects.filter(op="delete").values_list("slug", flat=True)) == ["recent"]
    response = reader.get(SYNC, {"cursor": cursor})
    assert response.status_code == 410
    assert response.json() == {
        "error": {
            "code": "sync_cursor_expired",
            "message": "This sync cursor is older than the deletes kept (30 days). "
            "Do a full sync: call /sync without a cursor.",
        }
    }
    assert response["Cache-Control"] == "no-store"
    items, _, fresh = sync_all(reader)  # a full sync starts over, and its cursor works
    assert brief(items) == [("upsert", "kept", "en")]
    assert sync_all(reader, fresh)[0] == []


def test_prune_keeps_the_configured_days(site, publish, write, reader, settings):
    settings.CMS = {**settings.CMS, "SYNC_TOMBSTONE_DAYS": 2}
    hero = publish("Hero", {"title": "Hello"})
    write(services.block_unpublish, block=hero, expected_version=None)
    SyncEntry.objects.update(changed_at=SyncEntry.objects.get().changed_at - timedelta(days=1))
    call_command("prune_sync_log")
    assert SyncEntry.objects.count() == 1
    call_command("prune_sync_log", "--days", "0")
    assert SyncEntry.objects.count() == 0


def test_a_cursor_of_another_site_is_410(site, other_site, publish, reader):
    publish("Hero", {"title": "Hello"})
    _, _, cursor = sync_all(reader)

    response = reader.get("/api/v1/delivery/globex/sync", {"cursor": cursor})

    assert response.status_code == 410
    assert response.json() == {
        "error": {
            "code": "sync_cursor_expired",
            "message": "This sync cursor is not one of this site's. Do a full sync: call /sync without a cursor.",
        }
    }


@pytest.mark.parametrize(
    ("query", "error"),
    [
        (
            "cursor=not-a-cursor",
            {
                "code": "bad_request",
                "message": "`cursor` is not a sync cursor: pass `meta.cursor` of an earlier answer unchanged.",
                "fields": {"cursor": "Not a cursor this API returned."},
            },
        ),
        (
            "cursor=" + "A" * 300,
            {
                "code": "bad_request",
                "message": "`cursor` is not a sync cursor: pass `meta.cursor` of an earlier answer unchanged.",
                "fields": {"cursor": "Not a cursor this API returned."},
            },
        ),
        (
            "limit=0",
            {
                "code": "bad_request",
                "message": "`limit` must be an integer from 1 to 100.",
                "fields": {"limit": "Must be from 1 to 100."},
            },
        ),
        (
            "limit=101",
            {
                "code": "bad_request",
                "message": "`limit` must be an integer from 1 to 100.",
                "fields": {"limit": "Must be from 1 to 100."},
            },
        ),
        (
            "locale=fr",
            {
                "code": "bad_request",
                "message": "Unknown query parameter: locale.",
                "fields": {"locale": "Unknown query parameter."},
            },
        ),
        (
            "preview=true",
            {
                "code": "bad_request",
                "message": "Unknown query parameter: preview.",
                "fields": {"preview": "Unknown query parameter."},
            },
        ),
    ],
)
def test_bad_parameters_are_400_with_the_field(site, reader, query, error):
    response = reader.get(f"{SYNC}?{query}")
    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_a_private_site_wants_a_read_token(site, publish, reader):
    publish("Hero", {"title": "Hello"})
    Site.objects.filter(pk=site.pk).update(is_public=False)
    invalidate_site(site)

    hidden = reader.get(SYNC)
    _, secret = issue_token(site, username="rita", role="viewer", scopes=("read",))
    allowed = client_with(secret).get(SYNC)

    assert hidden.status_code == 404
    assert hidden.json() == {"error": {"code": "not_found", "message": "No site `acme`."}}
    assert allowed.status_code == 200 and brief(allowed.json()["data"]) == [("upsert", "hero", "en")]
    assert allowed["Cache-Control"] == "private, no-store"


def _page_queries(reader: APIClient, limit: int) -> int:
    reader.get(SYNC, {"limit": 1})  # site facts cached, as on a warm server
    with CaptureQueriesContext(connection) as queries:
        response = reader.get(SYNC, {"limit": limit})
    assert response.status_code == 200 and len(response.json()["data"]) == limit
    return len(queries)


def test_queries_per_page_are_flat_in_site_size(site, publish, reader):
    for index in range(12):
        publish(f"Block {index}", {"title": str(index)})
    small = _page_queries(reader, 10)
    for index in range(12, 60):
        publish(f"Block {index}", {"title": str(index)})

    large = _page_queries(reader, 10)

    assert small == large == 3  # the counter, the entries, the page's live rows


def test_an_asset_changed_lists_the_published_blocks_showing_it_again(
    site, api, write, reader, publish, django_capture_on_commit_callbacks
):
    uploaded = api.post("/api/v1/assets", {"file": SimpleUploadedFile("a.png", png(), "image/png")}, format="multipart")
    asset_id = uploaded.json()["data"]["id"]
    schema = [{"name": "title", "type": "string"}, {"name": "photo", "type": "image"}]
    shown = write(
        services.block_create, name="Shows", type="global", schema=schema, data={"photo": {"asset": asset_id}}
    )
    write(services.block_publish, block=shown, expected_version=None)
    publish("Other", {"title": "Other"})
    _, _, cursor = sync_all(reader)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"/api/v1/assets/{asset_id}", {"alt": {"en": "A red square"}}, format="json")
    assert response.status_code == 200

    items, _, _ = sync_all(reader, cursor)
    assert brief(items) == [("upsert", "shows", "en")]
    assert items[0]["block"]["data"]["photo"]["alt"] == "A red square"

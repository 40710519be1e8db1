"""Releases in the admin (editor/releases.py): the list, a release's page with its items and conflicts, adding a
block from its page, and Publish now / Schedule / Cancel schedule / Roll back / Delete behind pages that say
what will happen; a refused publish named per item and field; the API's roles."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.permissions import Actor
from accounts.preview import read_preview_token
from blocks.models import BlockStatus
from blocks.services import block_copy_to_locale, block_update_data
from releases.models import Release, ReleaseStatus
from revisions.models import BlockRevision
from tests.editor.conftest import make_block, member

pytestmark = pytest.mark.django_db

SCHEMA = [{"name": "title", "type": "string", "required": True, "label": "Headline"}]


def url(name: str, *args) -> str:
    return reverse(f"admin:releases_release_{name}", args=args)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def owner_actor(site):
    return Actor(user=member(site, f"maker-{site.slug}", "owner"), site=site, role="owner")


@pytest.fixture
def blocks(site, owner_actor):
    """`hero` (en, valid) and its fr copy with an empty headline; `promo` (en, published)."""
    hero = make_block(site, name="Hero", schema=SCHEMA, data={"title": "Spring"})
    hero_fr = block_copy_to_locale(actor=owner_actor, block=hero, locale="fr")
    hero_fr = block_update_data(actor=owner_actor, block=hero_fr, data={"title": ""}, expected_version=None)
    promo = make_block(site, name="Promo", schema=SCHEMA, data={"title": "Old promo"})
    from blocks.services import block_publish

    promo = block_publish(actor=owner_actor, block=promo, expected_version=None)
    return hero, hero_fr, promo


def create_release(client, site, name="Spring campaign") -> Release:
    response = client.post(url("add"), {"site": site.pk, "name": name, "description": "Header and footer"})
    release = Release.objects.get(name=name)
    assert response.status_code == 302 and response["Location"] == url("change", release.pk)
    return release


def add_block(client, block, release: Release, action="publish"):
    response = client.post(url("add_block", block.pk), {"release": release.pk, "action": action})
    assert response.status_code == 302, text(response)
    assert response["Location"] == reverse("admin:blocks_siteblock_change", args=[block.pk])
    return response


def test_an_editor_creates_a_release_adds_blocks_from_their_pages_and_sees_them(site, admin_as, blocks):
    hero, hero_fr, promo = blocks
    client = admin_as("editor")
    release = create_release(client, site)

    block_page = client.get(reverse("admin:blocks_siteblock_change", args=[hero.pk]))
    assert url("add_block", hero.pk) in text(block_page) and "Add to release…" in text(block_page)
    assert "Spring campaign" in text(client.get(url("add_block", hero.pk)))
    add_block(client, hero, release)
    add_block(client, hero_fr, release)
    add_block(client, promo, release, action="unpublish")

    page = text(client.get(url("change", release.pk)))
    assert "Items (3)" in page
    assert page.count('class="cms-conflict"') == 0
    for name in ("Hero", "Promo"):
        assert f">{name}</a>" in page
    assert "Publish the working copy" in page and "Unpublish" in page
    assert "Publish now…" in page and "Schedule…" in page and "Preview release" in page
    listed = text(client.get(url("changelist")))
    assert "Spring campaign" in listed and "Open" in listed


def test_a_block_changed_after_it_was_added_is_flagged_and_marked_reviewed(site, admin_as, blocks, owner_actor):
    hero, _, _ = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    add_block(client, hero, release)
    block_update_data(actor=owner_actor, block=hero, data={"title": "Summer"}, expected_version=None)

    page = text(client.get(url("change", release.pk)))
    assert "Changed since added (now version" in page and "1 changed since added" in page
    confirm = text(client.get(url("publish", release.pk)))
    assert "1 block changed after it was added" in confirm
    assert "Only what was reviewed" in confirm and "The new state" in confirm

    release.refresh_from_db()
    item = release.items.get()
    response = client.post(url("review_item", release.pk, item.pk), {"version": release.version})
    assert response.status_code == 302
    item.refresh_from_db()
    hero.refresh_from_db()
    assert item.version_added == hero.version
    assert "Changed since added" not in text(client.get(url("change", release.pk)))


def test_a_conflict_refuses_the_publish_unless_the_new_state_is_chosen(site, admin_as, blocks, owner_actor):
    hero, _, _ = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    add_block(client, hero, release)
    block_update_data(actor=owner_actor, block=hero, data={"title": "Summer"}, expected_version=None)
    release.refresh_from_db()

    refused = client.post(url("publish", release.pk), {"version": release.version, "accept_changes": "no"})
    page = text(refused)
    assert refused.status_code == 200
    assert "1 problem: nothing was published" in page
    summary = page[page.index("cms-error-summary-title") :][:600]
    assert "Hero (en)</a>: `hero` (en) changed after it was added (version" in summary, summary
    hero.refresh_from_db()
    assert hero.status == BlockStatus.DRAFT

    done = client.post(url("publish", release.pk), {"version": release.version, "accept_changes": "yes"})
    assert done.status_code == 302
    hero.refresh_from_db()
    assert hero.status == BlockStatus.PUBLISHED and hero.published_snapshot["data"] == {"title": "Summer"}


def test_a_failed_publish_names_each_item_and_field_by_label_and_publishes_nothing(site, admin_as, blocks):
    hero, hero_fr, promo = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    for block in (hero, hero_fr):
        add_block(client, block, release)
    add_block(client, promo, release, action="unpublish")
    release.refresh_from_db()

    confirm = text(client.get(url("publish", release.pk)))
    assert "Every item below goes live at once, in one transaction" in confirm
    assert 'Hero <span class="cms-hint">(fr, publish version' in confirm
    response = client.post(url("publish", release.pk), {"version": release.version})

    page = text(response)
    assert response.status_code == 200
    assert "1 problem: nothing was published" in page
    fr_link = reverse("admin:blocks_siteblock_change", args=[hero_fr.pk])
    assert f'<a href="{fr_link}">Hero (fr)</a> · Headline: Must be present and non-empty.' in page
    for block in (hero, promo):
        before = block.status
        block.refresh_from_db()
        assert block.status == before
    assert Release.objects.get(pk=release.pk).status == ReleaseStatus.OPEN


def test_publish_now_then_roll_back_through_their_confirm_pages(site, admin_as, blocks):
    hero, _, promo = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    add_block(client, hero, release)
    add_block(client, promo, release, action="unpublish")
    release.refresh_from_db()

    published = client.post(url("publish", release.pk), {"version": release.version}, follow=True)
    assert "Published “Spring campaign”: every item went live in one transaction." in text(published)
    hero.refresh_from_db()
    promo.refresh_from_db()
    assert hero.status == BlockStatus.PUBLISHED and promo.status == BlockStatus.DRAFT
    comments = set(BlockRevision.objects.filter(block_id__in=[hero.pk, promo.pk]).values_list("comment", flat=True))
    assert "Published with release “Spring campaign”" in comments
    page = text(client.get(url("change", release.pk)))
    assert "Roll back…" in page and "Publish now…" not in page and "Delete…" not in page

    confirm = text(client.get(url("rollback", release.pk)))
    assert "what was live before this release went live is served again" in confirm
    release.refresh_from_db()
    rolled = client.post(url("rollback", release.pk), {"version": release.version}, follow=True)
    assert "Rolled back “Spring campaign”" in text(rolled)
    hero.refresh_from_db()
    promo.refresh_from_db()
    assert hero.status == BlockStatus.DRAFT and promo.status == BlockStatus.PUBLISHED
    assert promo.published_snapshot["data"] == {"title": "Old promo"}


def test_schedule_in_site_local_time_shown_with_its_zone_then_cancel(site, admin_as, blocks):
    site.timezone = "Europe/Paris"
    site.save()
    hero, _, _ = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    add_block(client, hero, release)
    release.refresh_from_db()

    form = text(client.get(url("schedule", release.pk)))
    assert "Publish at (Europe/Paris)" in form and "all 1 item of “Spring campaign” in one transaction" in form
    gap = client.post(url("schedule", release.pk), {"version": release.version, "publish_at": "2030-03-31T02:30"})
    assert 'aria-invalid="true"' in text(gap) and "id_publish_at_error" in text(gap)
    assert Release.objects.get(pk=release.pk).scheduled_at is None

    done = client.post(
        url("schedule", release.pk), {"version": release.version, "publish_at": "2030-07-01T09:00"}, follow=True
    )
    release.refresh_from_db()
    assert release.scheduled_at == datetime(2030, 7, 1, 7, 0, tzinfo=UTC)
    assert "is published 1 Jul 2030, 09:00 (Europe/Paris)" in text(done)
    page = text(client.get(url("change", release.pk)))
    assert "Open · scheduled to publish 1 Jul 2030, 09:00 (Europe/Paris)" in page and "Cancel schedule…" in page

    confirm = text(client.get(url("unschedule", release.pk)))
    assert "It will not be published 1 Jul 2030, 09:00 (Europe/Paris)" in confirm
    client.post(url("unschedule", release.pk), {"version": release.version})
    release.refresh_from_db()
    assert release.scheduled_at is None


def test_a_stale_form_does_nothing_and_says_so(site, admin_as, blocks):
    hero, _, _ = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    add_block(client, hero, release)

    response = client.post(url("publish", release.pk), {"version": 1}, follow=True)

    assert "The release changed since you opened it" in text(response)
    hero.refresh_from_db()
    assert hero.status == BlockStatus.DRAFT


def test_remove_an_item_and_delete_an_open_release(site, admin_as, blocks):
    hero, _, _ = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    add_block(client, hero, release)
    release.refresh_from_db()
    item = release.items.get()

    client.post(url("remove_item", release.pk, item.pk), {"version": release.version})
    assert not release.items.exists()
    assert "The release and its list of items are deleted" in text(client.get(url("delete", release.pk)))
    response = client.post(url("delete", release.pk))
    assert response.status_code == 302 and not Release.objects.filter(pk=release.pk).exists()
    hero.refresh_from_db()
    assert hero.status == BlockStatus.DRAFT


def test_roles_as_in_the_api(site, admin_as, blocks, other_site):
    hero, hero_fr, _ = blocks
    release = create_release(admin_as("editor"), site)
    viewer, translator = admin_as("viewer"), admin_as("translator")

    assert viewer.get(url("change", release.pk)).status_code == 200
    page = text(viewer.get(url("change", release.pk)))
    assert "Publish now…" not in page and "Delete…" not in page
    for name in ("publish", "schedule", "rollback", "delete"):
        assert viewer.get(url(name, release.pk)).status_code == 403
    assert viewer.get(url("add")).status_code == 403
    assert viewer.get(url("add_block", hero.pk)).status_code == 403

    assert translator.get(url("add_block", hero.pk)).status_code == 403  # the default locale's copy
    add_block(translator, hero_fr, release)
    assert "A new release" not in text(translator.get(url("add_block", hero_fr.pk)))
    assert translator.get(url("publish", release.pk)).status_code == 403

    stranger = admin_as("editor", other_site)
    assert stranger.get(url("change", release.pk)).status_code == 404
    assert "Spring campaign" not in text(stranger.get(url("changelist")))


def test_preview_release_opens_the_site_preview_url_with_a_release_token(site, admin_as, blocks):
    hero, _, _ = blocks
    client = admin_as("editor")
    release = create_release(client, site)
    add_block(client, hero, release)

    builtin = client.get(url("preview", release.pk))
    assert builtin.status_code == 200 and "Set the site's <em>Preview URL</em>" in text(builtin)
    assert 'value="Spring"' in text(builtin)

    site.preview_url = "https://www.example.com/api/preview?slug={slug}&locale={locale}&token={token}"
    site.save()
    response = client.get(url("preview", release.pk))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["slug"] == ["hero"] and query["locale"] == ["en"]
    grant = read_preview_token(query["token"][0])
    assert grant.release_id == release.pk and grant.site_id == site.pk


def test_the_release_page_reads_a_fixed_number_of_queries(site, admin_as, owner_actor, django_assert_num_queries):
    client = admin_as("editor")
    release = create_release(client, site)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 8):
        while release.items.count() < n:
            block = make_block(site, name=f"Block {release.items.count()}", schema=SCHEMA, data={"title": "x"})
            add_block(client, block, release)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("change", release.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

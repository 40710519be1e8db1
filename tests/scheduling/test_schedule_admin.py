"""The schedule on the block's admin page: summary, set in the site's time zone, DST refusal, cancel."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from blocks.models import SiteBlock
from tests.editor.conftest import logged_in, make_block, member


def test_schedule_page_sets_local_times_and_cancels(site):
    site.timezone = "Europe/Paris"
    site.save()
    block = make_block(site, schema=[{"name": "title", "type": "string"}], data={"title": "x"})
    editor = logged_in(member(site, "ed", "editor"))
    change = editor.get(reverse("admin:blocks_siteblock_change", args=[block.pk])).content.decode()
    assert "Nothing scheduled." in change and "cms-schedule-link" in change

    url = reverse("admin:blocks_siteblock_schedule", args=[block.pk])
    assert "Europe/Paris" in editor.get(url).content.decode()
    response = editor.post(url, {"version": block.version, "publish_at": "2030-03-31T02:30", "unpublish_at": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "does not exist in Europe/Paris" in page
    # Named as the page labels the field, not by the API's `publishAt`.
    assert "<li>Publish at: 2030-03-31T02:30 does not exist in Europe/Paris" in page and "publishAt" not in page

    response = editor.post(url, {"version": block.version, "publish_at": "2030-03-31T09:00", "unpublish_at": ""})
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.scheduled_publish_at == datetime(2030, 3, 31, 7, 0, tzinfo=UTC)
    change = editor.get(reverse("admin:blocks_siteblock_change", args=[block.pk])).content.decode()
    assert "Publish at 2030-03-31T09:00 (Europe/Paris), by ed" in change

    response = editor.post(url, {"version": block.version, "cancel": "1"})
    assert response.status_code == 302
    assert SiteBlock.objects.get(pk=block.pk).scheduled_publish_at is None


def test_schedule_page_needs_publish_rights(site):
    block = make_block(site)
    translator = logged_in(member(site, "tr", "translator"))
    assert translator.get(reverse("admin:blocks_siteblock_schedule", args=[block.pk])).status_code == 403

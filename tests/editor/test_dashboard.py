"""The admin index's dashboard (editor/dashboard.py): each role sees the panels with rows for them, with links,
and the page's queries do not grow with the site."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_create, block_publish, block_update_data
from editor.dashboard import PANELS, Viewer, panels_for, register_panel
from scheduling.services import block_schedule
from tests.editor.conftest import logged_in, make_block, member

INDEX = reverse("admin:index")


def panel_ids(html: str) -> list[str]:
    return re.findall(r'<section class="module cms-panel" id="panel-([a-z_]+)"', html)


def panel(html: str, name: str) -> str:
    start = html.index(f'id="panel-{name}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def team(site):
    site.timezone = "Europe/Paris"
    site.save()
    ed = member(site, "eda", "editor")
    tr = member(site, "tina", "translator")
    return Actor(user=ed, site=site, role="editor"), tr


def test_an_editor_sees_drafts_changes_schedules_outdated_translations_and_activity(site, team):
    ed, _ = team
    draft = block_create(actor=ed, name="Launch", type="global", schema=[{"name": "t", "type": "string"}])
    live = block_create(actor=ed, name="Home", type="global", schema=[{"name": "t", "type": "string"}])
    live = block_publish(actor=ed, block=live, expected_version=None)
    live = block_update_data(actor=ed, block=live, data={"t": "Hello"}, expected_version=None)
    when = datetime(2030, 6, 1, 7, 0, tzinfo=UTC)
    block_schedule(actor=ed, block=draft, expected_version=None, publish_at=when)
    fr = block_copy_to_locale(actor=ed, block=live, locale="fr")
    block_update_data(actor=ed, block=fr, data={"t": "Bonjour"}, expected_version=None)
    block_update_data(actor=ed, block=live, data={"t": "Hello there"}, expected_version=None)

    html = logged_in(ed.user).get(INDEX).content.decode()
    assert panel_ids(html) == [
        "my_drafts",
        "changed_since_publish",
        "scheduled",
        "outdated_translations",
        "recent_activity",
    ]
    drafts = panel(html, "my_drafts")
    assert f'<a href="/admin/blocks/siteblock/{draft.pk}/change/">Launch</a>' in drafts
    assert f'/admin/blocks/siteblock/{fr.pk}/change/">Home</a>' in drafts  # the fr copy is a draft of mine
    assert f'<a href="/admin/blocks/siteblock/{live.pk}/change/">Home</a>' in panel(html, "changed_since_publish")
    # 07:00 UTC is 09:00 in Paris (summer time): the site's wall clock, named.
    assert "Publish <a" in panel(html, "scheduled") and "<strong>1 Jun 2030, 09:00</strong>" in panel(html, "scheduled")
    assert "(Europe/Paris)" in panel(html, "scheduled")
    outdated = panel(html, "outdated_translations")
    assert f'<a href="/admin/blocks/siteblock/{fr.pk}/change/">Home (fr)</a>' in outdated
    assert "1 outdated, 0 untranslated" in outdated
    assert "revision" in panel(html, "recent_activity") and "eda" in panel(html, "recent_activity")
    assert "waiting" not in panel_ids(html)


def test_a_translator_sees_what_waits_in_their_locales_oldest_first(site, team):
    ed, tr = team
    now = datetime.now(UTC)
    old = make_block(site, name="Old", data={"title": "x"})
    new = make_block(site, name="New", data={"title": "y"})
    SiteBlock.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=9))
    SiteBlock.objects.filter(pk=new.pk).update(created_at=now - timedelta(days=1))
    fr_new = block_copy_to_locale(actor=ed, block=SiteBlock.objects.get(pk=new.pk), locale="fr")
    SiteBlock.objects.filter(pk=fr_new.pk).update(created_at=now - timedelta(days=2))
    html = logged_in(tr).get(INDEX).content.decode()
    assert panel_ids(html) == ["translator_waiting", "recent_activity"]  # no editors' panels
    waiting = panel(html, "translator_waiting")
    items = re.findall(r"<li>(.*?)</li>", waiting, re.S)
    # Old has no fr nor es copy (9 days); New's fr copy is untranslated (2 days); New has no es copy (1 day).
    assert [re.sub(r"<[^>]+>|\s+", " ", item).split("·")[0].strip() for item in items] == [
        "Old: no es copy yet",
        "Old: no fr copy yet",
        "New (fr)",
        "New: no es copy yet",
    ]
    assert f'href="/admin/blocks/siteblock/{old.pk}/copy/?locale=fr"' in waiting
    assert "1 untranslated · 0 translated" in items[2]
    # The copy page the link opens has fr chosen.
    copy_page = logged_in(tr).get(f"/admin/blocks/siteblock/{old.pk}/copy/?locale=fr").content.decode()
    assert re.search(r'<option value="fr"[^>]*selected', copy_page)


def test_a_viewer_with_nothing_to_do_sees_no_empty_panels(site):
    viewer = member(site, "vic", "viewer")
    assert panel_ids(logged_in(viewer).get(INDEX).content.decode()) == []


def test_panels_are_a_registry(site, team):
    ed, _ = team
    try:
        register_panel("hello", lambda viewer: ["row"], "admin/dashboard/my_drafts.html")
        assert [shown.name for shown in panels_for(Viewer(user=ed.user, roles={site.pk: "editor"}))] == ["hello"]
    finally:
        PANELS.pop("hello")


def test_the_dashboard_costs_the_same_queries_for_a_small_and_a_large_site(site, team):
    ed, tr = team
    client, translator = logged_in(ed.user), logged_in(tr)

    def grow(count: int, tag: str) -> None:
        for index in range(count):
            block = block_create(
                actor=ed, name=f"{tag}{index}", type="global", schema=[{"name": "t", "type": "string"}]
            )
            block = block_update_data(actor=ed, block=block, data={"t": "a"}, expected_version=None)
            fr = block_copy_to_locale(actor=ed, block=block, locale="fr")
            block_update_data(actor=ed, block=fr, data={"t": "b"}, expected_version=None)
            block = block_publish(actor=ed, block=block, expected_version=None)
            block_update_data(actor=ed, block=block, data={"t": "c"}, expected_version=None)

    grow(2, "A")
    client.get(INDEX), translator.get(INDEX)
    with CaptureQueriesContext(connection) as editor_few:
        client.get(INDEX)
    with CaptureQueriesContext(connection) as translator_few:
        translator.get(INDEX)
    grow(15, "B")
    with CaptureQueriesContext(connection) as editor_many:
        html = client.get(INDEX).content.decode()
    with CaptureQueriesContext(connection) as translator_many:
        translator.get(INDEX)
    assert panel(html, "outdated_translations").count("<li>") == 10  # a panel shows 10 rows at most
    assert len(editor_many.captured_queries) == len(editor_few.captured_queries)
    assert len(translator_many.captured_queries) == len(translator_few.captured_queries)


def test_a_reviewer_sees_what_waits_for_their_review_first_and_the_requester_does_not(site, team):
    from reviews.services import review_submit_block

    ed, _ = team
    owner = member(site, "olga", "owner")
    block = block_create(actor=ed, name="Pricing", type="global", schema=[{"name": "t", "type": "string"}])
    review_submit_block(actor=ed, block=block, comment="Prices for 2027", expected_version=None)

    html = logged_in(owner).get(INDEX).content.decode()
    assert panel_ids(html)[0] == "reviews_waiting"
    waiting = panel(html, "reviews_waiting")
    assert "Pricing (en)" in waiting and "asked by eda" in waiting
    # Who asked is not asked to decide: the editor's own dashboard has no such panel.
    assert "reviews_waiting" not in panel_ids(logged_in(ed.user).get(INDEX).content.decode())


def test_editors_hear_of_a_translation_marked_ready_for_review(site, team):
    from reviews.services import review_submit_block

    ed, tr = team
    owner = member(site, "olga", "owner")
    source = block_create(actor=ed, name="Pricing", type="global", schema=[{"name": "t", "type": "string"}])
    fr = block_copy_to_locale(actor=ed, block=source, locale="fr")
    review_submit_block(
        actor=Actor(user=tr, site=site, role="translator"), block=fr, comment="French ready", expected_version=None
    )
    editor_page = logged_in(ed.user).get(INDEX).content.decode()
    ready = panel(editor_page, "translations_ready")
    assert "Pricing (fr)" in ready and "marked ready by tina" in ready
    # The owner decides it: it is in their "Reviews waiting for me", not told twice.
    owner_ids = panel_ids(logged_in(owner).get(INDEX).content.decode())
    assert "reviews_waiting" in owner_ids and "translations_ready" not in owner_ids
    # The translator who asked is not told of their own hand-off.
    assert "translations_ready" not in panel_ids(logged_in(tr).get(INDEX).content.decode())

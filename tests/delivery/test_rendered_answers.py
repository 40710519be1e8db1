"""Answers rendered at publish (`delivery.prerender`, `delivery.rendered`): each kind of change stores exactly
the right answers again, the stored bytes are those read-time rendering gives, and a cache miss is one query."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.permissions import Actor
from blocks import services
from blocks.models import SiteBlock
from delivery import cache as dcache
from delivery.cache import digest
from delivery.models import RenderedAnswer
from delivery.prerender import refresh_stale
from locales.services import site_locale_update
from scheduling.performing import perform_due_schedules
from scheduling.services import block_schedule
from tests.conftest import issue_token
from tests.media.files import png

pytestmark = pytest.mark.django_db

BASE = "/api/v1/delivery/acme"


def stored(site, kind: str = "b") -> dict[tuple[str, str], RenderedAnswer]:
    return {(row.ident, row.locale): row for row in RenderedAnswer.objects.filter(site=site, kind=kind)}


def cold(site) -> None:
    """Empty the answer caches (a new generation, no process memo): the next read is a miss."""
    dcache.bump(site.slug)
    dcache.local_clear()


def read_time(site, client, url: str):
    """The answer rendered at read time: as the stored row were never written."""
    kept = list(RenderedAnswer.objects.filter(site=site))
    RenderedAnswer.objects.filter(site=site).delete()
    cold(site)
    try:
        return client.get(url)
    finally:
        RenderedAnswer.objects.bulk_create(kept)
        cold(site)


def test_a_publish_stores_the_answer_by_slug_and_by_path_and_a_miss_is_one_query(
    site, publish, client, django_assert_num_queries
):
    publish("Hero", {"title": "Welcome"})
    about = publish("About", {"title": "About us"}, type="page", path="/about")
    assert set(stored(site)) == {("hero", "en"), ("about", "en")}
    assert set(stored(site, "p")) == {(digest("/about"), "en")}
    assert client.get(f"{BASE}/blocks/hero").status_code == 200  # the site's facts are cached now

    for url in (f"{BASE}/blocks/hero", f"{BASE}/blocks/hero?locale=fr", f"{BASE}/pages?path=/about"):
        cold(site)
        with django_assert_num_queries(1):  # the stored bytes, nothing else
            response = client.get(url)
        assert response.status_code == 200
        expected = read_time(site, client, url)
        assert response.content == expected.content and response["ETag"] == expected["ETag"]
        assert response["Surrogate-Key"] == expected["Surrogate-Key"]
        assert response["Content-Language"] == expected["Content-Language"] == "en"
    assert client.get(f"{BASE}/pages?path=/about").json()["data"]["id"] == about.pk


def test_a_fallback_is_the_same_single_query_and_the_best_locale_wins(site, publish, client, django_assert_num_queries):
    publish("Hero", {"title": "Welcome"})
    publish("Hero", {"title": "Bienvenue"}, locale="fr", slug="hero")
    client.get(f"{BASE}/blocks/hero")
    cold(site)
    with django_assert_num_queries(1):
        french = client.get(f"{BASE}/blocks/hero?locale=fr")
    with django_assert_num_queries(1):
        spanish = client.get(f"{BASE}/blocks/hero?locale=es")  # es has no copy: the site default, en
    assert french.json()["data"]["data"]["title"] == "Bienvenue" and french["Content-Language"] == "fr"
    assert spanish.json()["data"]["data"]["title"] == "Welcome" and spanish["Content-Language"] == "en"


def test_unpublish_and_delete_drop_exactly_that_blocks_answers(site, publish, write, client):
    hero = publish("Hero", {"title": "Welcome"})
    publish("Footer", {"title": "Bye"})
    about = publish("About", {"title": "About"}, type="page", path="/about")
    footer_before = stored(site)[("footer", "en")]

    write(services.block_unpublish, block=hero, expected_version=None)
    assert set(stored(site)) == {("footer", "en"), ("about", "en")}
    assert client.get(f"{BASE}/blocks/hero").status_code == 404
    write(services.block_delete, block=SiteBlock.objects.get(pk=about.pk), expected_version=None)
    assert set(stored(site)) == {("footer", "en")} and stored(site, "p") == {}
    assert client.get(f"{BASE}/pages?path=/about").status_code == 404
    footer_after = stored(site)[("footer", "en")]
    assert (footer_after.etag, footer_after.rendered_at) == (footer_before.etag, footer_before.rendered_at)


def test_a_move_leaves_no_answer_at_the_old_path(site, publish, write, client):
    about = publish("About", {"title": "About"}, type="page", path="/about")
    write(services.block_update_meta, block=about, expected_version=None, changes={"path": "/company"})
    assert set(stored(site, "p")) == {(digest("/company"), "en")}
    assert client.get(f"{BASE}/pages?path=/about").status_code == 404
    assert client.get(f"{BASE}/pages?path=/company").json()["data"]["slug"] == "about"


def test_a_new_translation_renders_the_other_locales_page_answers_again(site, publish, write, client):
    about = publish("About", {"title": "About"}, type="page", path="/about")
    publish("Hero", {"title": "Welcome"})
    before_page, before_hero = stored(site, "p")[(digest("/about"), "en")], stored(site)[("hero", "en")]
    assert client.get(f"{BASE}/pages?path=/about").json()["meta"]["alternates"] == []

    french = write(
        services.block_create,
        name="About",
        type="page",
        schema=about.schema,
        data={"title": "À propos"},
        path="/a-propos",
        locale="fr",
        slug="about",
    )
    SiteBlock.objects.filter(pk=french.pk).update(translation_key=about.translation_key)  # a draft: nothing live
    french.refresh_from_db()
    write(services.block_publish, block=french, expected_version=None)

    after_page = stored(site, "p")[(digest("/about"), "en")]
    assert after_page.etag != before_page.etag  # its alternates name the French page now
    assert client.get(f"{BASE}/pages?path=/about").json()["meta"]["alternates"] == [
        {"locale": "fr", "path": "/a-propos"}
    ]
    hero = stored(site)[("hero", "en")]
    assert (hero.etag, hero.rendered_at) == (before_hero.etag, before_hero.rendered_at)


def test_a_schedule_sets_the_expiry_and_the_scheduler_publishes_and_unpublishes(site, publish, write, client):
    hero = publish("Hero", {"title": "Welcome"})
    soon = timezone.now() + timedelta(hours=1)
    hero = write(block_schedule, block=hero, expected_version=None, unpublish_at=soon)
    assert stored(site)[("hero", "en")].expires_at == soon.timestamp()

    draft = write(services.block_create, name="Promo", type="global", schema=hero.schema, data={"title": "Sale"})
    write(block_schedule, block=draft, expected_version=None, publish_at=soon - timedelta(minutes=30))
    assert ("promo", "en") not in stored(site)

    perform_due_schedules(now=soon - timedelta(minutes=10))  # the publish is due
    assert ("promo", "en") in stored(site)
    perform_due_schedules(now=soon + timedelta(minutes=1))  # and the unpublish
    assert ("hero", "en") not in stored(site) and ("promo", "en") in stored(site)


def test_a_locale_change_marks_what_depends_on_it_stale_and_the_worker_renders_it_again(
    site, publish, client, editor, django_capture_on_commit_callbacks
):
    publish("Hero", {"title": "Welcome"})
    publish("About", {"title": "About"}, type="page", path="/about")
    publish("About", {"title": "À propos"}, type="page", path="/a-propos", locale="fr", slug="about")
    hero_before = stored(site)[("hero", "en")]
    owner = Actor(user=editor[0], site=site, role="owner")

    with django_capture_on_commit_callbacks(execute=True):
        site_locale_update(actor=owner, code="es", fallback="fr")

    pages = RenderedAnswer.objects.filter(site=site, kind="p")
    assert sorted(pages.values_list("locale", "stale")) == [("en", True), ("fr", True)]
    assert stored(site)[("hero", "en")].stale is False  # a plain block does not depend on locale settings
    # stale answers are rendered at read time meanwhile; the fallback itself is resolved when reading
    spanish = client.get(f"{BASE}/pages?path=/a-propos&locale=es")
    assert spanish.json()["data"]["locale"] == "fr"

    task = DBTaskResult.objects.get(task_path="delivery.prerender.refresh_stale")
    assert task.args_kwargs == {"args": [site.pk], "kwargs": {}}
    assert refresh_stale.call(site.pk) == 4  # what the worker runs: both pages, by slug and by path
    assert not RenderedAnswer.objects.filter(site=site, stale=True).exists()
    hero_after = stored(site)[("hero", "en")]
    assert (hero_after.etag, hero_after.rendered_at) == (hero_before.etag, hero_before.rendered_at)
    cold(site)
    assert client.get(f"{BASE}/pages?path=/a-propos&locale=es").content == spanish.content


def test_replacing_an_asset_renders_again_exactly_the_answers_that_show_it(
    site, api, publish, client, django_capture_on_commit_callbacks
):
    uploaded = api.post("/api/v1/assets", {"file": SimpleUploadedFile("a.png", png(), "image/png")}, format="multipart")
    asset = uploaded.json()["data"]
    schema = [{"name": "title", "type": "string"}, {"name": "photo", "type": "image"}]
    publish("Gallery", {"title": "G", "photo": {"asset": asset["id"], "alt": "A"}}, schema=schema)
    publish("Hero", {"title": "Welcome"})
    gallery_before, hero_before = stored(site)[("gallery", "en")], stored(site)[("hero", "en")]
    assert gallery_before.locale_dependent and not hero_before.locale_dependent

    body = {"filename": "b.png", "contentBase64": base64.b64encode(png(10, 8, (0, 0, 255))).decode()}
    with django_capture_on_commit_callbacks(execute=True):
        replaced = api.post(f"/api/v1/assets/{asset['id']}/file", body, format="json")
    assert replaced.status_code == 200, replaced.content

    gallery_after, hero_after = stored(site)[("gallery", "en")], stored(site)[("hero", "en")]
    assert gallery_after.etag != gallery_before.etag
    assert replaced.json()["data"]["url"].encode() in gallery_after.body
    assert (hero_after.etag, hero_after.rendered_at) == (hero_before.etag, hero_before.rendered_at)
    assert client.get(f"{BASE}/blocks/gallery").json()["data"]["data"]["photo"]["width"] == 10


def test_answers_with_data_sources_are_dynamic_and_follow_their_dependencies(site, publish, client, data_source):
    calls = []
    data_source("weather", lambda site, locale, params: calls.append(locale) or {"sky": f"clear {len(calls)}"})
    listing = [
        {"name": "title", "type": "string"},
        {"name": "news", "type": "dataSource", "source": "blocks", "params": {"tags": "news"}},
        {"name": "weather", "type": "dataSource", "source": "weather", "params": {}},
    ]
    publish("Index", {"title": "Index"}, schema=listing)
    row = stored(site)[("index", "en")]
    assert row.dynamic and row.body == b"" and calls == []  # not rendered at publish: nothing to keep
    first = client.get(f"{BASE}/blocks/index").json()["data"]["data"]
    assert first["news"] == [] and first["weather"] == {"sky": "clear 1"}

    publish("Launch", {"title": "We launched"}, tags=["news"])  # a dependency of the list changes
    second = client.get(f"{BASE}/blocks/index").json()["data"]["data"]
    assert [item["slug"] for item in second["news"]] == ["launch"]


def test_preview_renders_the_working_copy_at_read_time(site, publish, write, client):
    hero = publish("Hero", {"title": "Welcome"})
    write(services.block_update_data, block=hero, expected_version=None, data={"title": "Draft title"})
    assert client.get(f"{BASE}/blocks/hero").json()["data"]["data"]["title"] == "Welcome"
    _, previewer = issue_token(site, username="previewer", role="viewer", scopes=("read", "preview"))
    preview = client.get(f"{BASE}/blocks/hero?preview=true", HTTP_AUTHORIZATION=f"Bearer {previewer}")
    assert preview.status_code == 200 and preview.json()["data"]["data"]["title"] == "Draft title"


def test_stored_bytes_equal_read_time_rendering_over_the_demo_site(tmp_path, settings, client):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    rows = list(RenderedAnswer.objects.filter(site__slug="demo"))
    assert len([row for row in rows if not row.dynamic]) >= 6
    blocks = SiteBlock.objects.filter(site__slug="demo", status="published")
    for block in blocks:
        urls = [f"/api/v1/delivery/demo/blocks/{block.slug}?locale={block.locale}"]
        if block.path:
            urls.append(f"/api/v1/delivery/demo/pages?path={block.path}&locale={block.locale}")
        site = block.site
        for url in urls:
            cold(site)
            served = client.get(url)
            expected = read_time(site, client, url)
            assert served.status_code == expected.status_code == 200, url
            assert served.content == expected.content, url
            assert served["ETag"] == expected["ETag"] and served["Surrogate-Key"] == expected["Surrogate-Key"]


def test_rebuild_delivery_renders_everything_again_idempotently(site, other_site, publish, client):
    publish("Hero", {"title": "Welcome"})
    publish("About", {"title": "About"}, type="page", path="/about")
    expected = {(row.kind, row.ident, row.locale): bytes(row.body) for row in RenderedAnswer.objects.all()}
    RenderedAnswer.objects.all().delete()
    # a leftover of a block that is gone, and a row loaded without the services
    RenderedAnswer.objects.create(site=site, kind="b", ident="gone", locale="en", block_id=999999, body=b"{}")
    SiteBlock.objects.filter(slug="hero").update(name="Hero (imported)")

    out = StringIO()
    call_command("rebuild_delivery", "--site", "acme", "--batch-size", "1", stdout=out)
    assert re.fullmatch(
        r"acme: 2 block answers, 1 page answers \(0 dynamic, rendered at read time\), 1 removed, in [\d.]+s\n",
        out.getvalue(),
    )
    rebuilt = {(row.kind, row.ident, row.locale): bytes(row.body) for row in RenderedAnswer.objects.all()}
    assert set(rebuilt) == set(expected)
    assert b"Hero (imported)" in rebuilt[("b", "hero", "en")]
    assert rebuilt[("p", digest("/about"), "en")] == expected[("p", digest("/about"), "en")]

    again = StringIO()
    call_command("rebuild_delivery", stdout=again)  # every site; nothing changes
    assert "acme: 2 block answers, 1 page answers (0 dynamic, rendered at read time), 0 removed" in again.getvalue()
    assert "globex: 0 block answers" in again.getvalue()
    assert {(row.kind, row.ident, row.locale): bytes(row.body) for row in RenderedAnswer.objects.all()} == rebuilt
    cold(site)
    assert client.get(f"{BASE}/blocks/hero").json()["data"]["name"] == "Hero (imported)"


def test_rebuild_delivery_refuses_an_unknown_site_and_a_bad_batch_size(db):
    with pytest.raises(CommandError, match=r"No site `nope`\."):
        call_command("rebuild_delivery", "--site", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match=r"--batch-size must be at least 1\."):
        call_command("rebuild_delivery", "--batch-size", "0", stdout=StringIO())


def test_a_working_copy_edit_renders_nothing_again_and_a_rename_does(site, publish, write, client):
    hero = publish("Hero", {"title": "Welcome"})
    before = stored(site)[("hero", "en")]
    hero = write(services.block_update_data, block=hero, expected_version=None, data={"title": "Draft"})
    after = stored(site)[("hero", "en")]
    assert (after.etag, after.rendered_at) == (before.etag, before.rendered_at)

    write(services.block_update_meta, block=hero, expected_version=None, changes={"name": "Hero banner"})
    renamed = stored(site)[("hero", "en")]
    assert renamed.etag != before.etag and b'"name":"Hero banner"' in bytes(renamed.body)
    assert client.get(f"{BASE}/blocks/hero").json()["data"]["name"] == "Hero banner"


@pytest.mark.django_db(transaction=True)
def test_a_miss_reads_on_the_drivers_cursor_and_survives_a_connection_the_server_dropped(site, publish, monkeypatch):
    """Outside a transaction, with an open connection and no query logging (production), `find` runs on the
    driver's cursor, without Django's per-request health check; a connection the server dropped costs a
    reconnect and the same answer, never an error."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from delivery import rendered

    publish("Hero", {"title": "Welcome"})
    with CaptureQueriesContext(connection) as captured:  # logged: through Django's cursor, and counted
        expected = rendered.find(site.id, "b", "hero", ["fr", "en"])
    assert len(captured) == 1 and expected is not None and expected.locale == "en"
    assert not connection.in_atomic_block and connection.connection is not None

    def refused(*args, **kwargs):
        raise AssertionError("Django's cursor was used")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refused)
        assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == expected
        assert rendered.find(site.id, "b", "nothing", ["en"]) is None

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        other = connection.get_new_connection(connection.get_connection_params())
        try:
            other.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()
        assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == expected  # on a new connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_miss_runs_a_statement_prepared_once_per_connection(site, publish, settings, monkeypatch):
    """The statement is prepared on the first miss of a connection (per chain length) and reused; a session
    reset that drops it (a pooler's `DEALLOCATE ALL`) costs one fallback read and a new prepare, never an
    error; `DELIVERY_PREPARED_STATEMENTS` off prepares nothing (PgBouncer before 1.21)."""
    from django.db import connection

    from delivery import rendered

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    publish("Hero", {"title": "Welcome"})
    publish("Footer", {"title": "Bye"})
    connection.ensure_connection()

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'cms_%%' ORDER BY name")
            return [name for (name,) in cursor.fetchall()]

    assert prepared() == []
    hero = rendered.find(site.id, "b", "hero", ["fr", "en"])
    assert hero is not None and hero.locale == "en" and b'"title":"Welcome"' in hero.body
    assert rendered.find(site.id, "b", "footer", ["en"]).body.count(b'"title":"Bye"') == 1
    assert rendered.find(site.id, "b", "footer", ["es", "fr", "en"]).locale == "en"
    assert prepared() == ["cms_rendered_answer_1", "cms_rendered_answer_2", "cms_rendered_answer_3"]
    assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == hero  # the same statement again

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == hero  # Django's cursor, once
    assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == hero  # prepared again
    assert prepared() == ["cms_rendered_answer_2"]

    # Columns of other types than those decoded (a later migration): the read is left to Django's cursor
    connection.close()
    connection.ensure_connection()
    monkeypatch.setattr(rendered, "_TYPES", ((1043, 25), (23,), *rendered._TYPES[2:]))  # status as an int4
    assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == hero
    assert rendered._statements[connection.connection] == {2: False}

    connection.close()
    connection.ensure_connection()
    settings.CMS = {**settings.CMS, "DELIVERY_PREPARED_STATEMENTS": False}
    assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == hero
    assert rendered.find(site.id, "b", "nothing", ["en"]) is None
    assert prepared() == []
    monkeypatch.undo()
    assert rendered.find(site.id, "b", "hero", ["fr", "en"]) == hero  # unnamed, types checked each time

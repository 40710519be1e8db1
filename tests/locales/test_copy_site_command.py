"""`copy_site_to_locale` copies a whole site in one transaction; `seed_demo` makes its French blocks as copies."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from accounts.models import Role
from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.selectors import translation_status


def make(api, name, **extra):
    body = {
        "name": name,
        "type": "global",
        "schema": [{"name": "title", "type": "string"}],
        "data": {"title": name},
        **extra,
    }
    response = api.post("/api/v1/site-blocks", body, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.django_db
def test_copies_every_block_as_drafts_and_skips_existing_copies(api, site):
    for name in ("Header", "Footer", "Sidebar"):
        make(api, name)
    api.post("/api/v1/site-blocks", {"name": "About", "type": "page", "path": "/about"}, format="json")
    api.post("/api/v1/site-blocks/header/copy-to-locale", {"locale": "fr"}, format="json")
    out = StringIO()
    call_command("copy_site_to_locale", "acme", "fr", "--user", "jane", stdout=out)
    assert "3 created, 0 overwritten, 1 skipped" in out.getvalue()
    fr = SiteBlock.objects.filter(site=site, locale="fr")
    assert sorted(fr.values_list("slug", flat=True)) == ["about", "footer", "header", "sidebar"]
    assert set(fr.values_list("status", flat=True)) == {"draft"}
    for block in fr:
        source = SiteBlock.objects.get(site=site, locale="en", slug=block.slug)
        assert block.translation_key == source.translation_key
        assert Version.objects.get_for_object(block).count() == 1
    actor = Actor(user=None, site=site, role=Role.OWNER)
    assert translation_status(actor, fr.get(slug="footer"))["fr"]["status"] == "partial"  # copied, not translated


@pytest.mark.django_db
def test_one_failure_copies_nothing(api, site):
    make(api, "Header")
    make(api, "Footer")
    make(api, "Footer", locale="es")  # an unrelated `footer` already in es: its slug is taken there
    with pytest.raises(CommandError, match="Nothing copied: The slug `footer` is taken"):
        call_command("copy_site_to_locale", "acme", "es", stdout=StringIO())
    assert list(SiteBlock.objects.filter(locale="es").values_list("slug", flat=True)) == ["footer"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "fr"], "No site `nope`"),
        (["acme", "de"], "`de` is not another locale"),
        (["acme", "en"], "`en` is not another locale"),
        (["acme", "fr", "--user", "ghost"], "No user `ghost`"),
    ],
)
def test_refusals(site, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("copy_site_to_locale", *args, stdout=StringIO())


@pytest.mark.django_db
def test_seed_demo_french_blocks_are_translations_of_the_english_ones(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    for slug in ("header", "footer", "about"):
        en = SiteBlock.objects.get(site__slug="demo", locale="en", slug=slug)
        fr = SiteBlock.objects.get(site__slug="demo", locale="fr", slug=slug)
        assert en.translation_key == fr.translation_key and fr.status == "published"
        actor = Actor(user=None, site=en.site, role=Role.OWNER)
        assert {code: state["status"] for code, state in translation_status(actor, en).items()} == {
            "en": "complete",
            "fr": "complete",
        }, slug

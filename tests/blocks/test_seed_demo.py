"""`seed_demo` builds the demo site through the services and prints a working admin login; it is idempotent."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from blocks.models import SiteBlock


@pytest.mark.django_db
def test_seed_demo_creates_published_blocks_and_a_login(tmp_path, settings, client):
    settings.BASE_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    password = re.search(r"Password: (\S+)", text).group(1)
    # The printed login works on the admin's login page (as a person uses it; django-axes watches that door).
    answer = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": password})
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    slugs = set(
        SiteBlock.objects.filter(site__slug="demo", locale="en", status="published").values_list("slug", flat=True)
    )
    assert {"header", "footer", "about"} <= slugs

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert f"Password: {password}" in again.getvalue()
    assert SiteBlock.objects.filter(site__slug="demo", locale="en").count() == len(slugs)


@pytest.mark.django_db
def test_seed_demo_blocks_exist_in_two_locales(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", stdout=StringIO())
    rows = SiteBlock.objects.filter(site__slug="demo", status="published").values_list("locale", "slug", "name")
    by_locale = {locale: {slug for loc, slug, _ in rows if loc == locale} for locale, _, _ in rows}
    assert by_locale == {"en": {"header", "footer", "about"}, "fr": {"header", "footer", "about"}}
    about_fr = SiteBlock.objects.get(site__slug="demo", locale="fr", slug="about")
    assert about_fr.path == "/a-propos" and about_fr.data["title"] == "À propos de nous"


@pytest.mark.django_db
def test_seed_demo_prints_links_at_the_address_it_is_given(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8123/", stdout=out)
    text = out.getvalue()
    assert "Admin:    http://127.0.0.1:8123/admin/" in text
    assert "Delivery: http://127.0.0.1:8123/api/v1/delivery/demo/blocks/header" in text
    assert "API docs: http://127.0.0.1:8123/api/v1/docs/" in text
    assert "PORT=8201 make run" in text
    assert ":8000" not in text

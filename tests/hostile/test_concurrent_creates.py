"""Issue 14, item 10: concurrent creates on PostgreSQL, real threads, one connection each.

- Ten owners enabling the same new locale at once: one 201, nine 409 with the envelope of enabling it twice
  (one used to be a 500 from the unique constraint).
- Twenty creates of a block with the same name: all 201, with the slugs `promo`, `promo-2` … `promo-20` the
  contract promises (nine used to be 409): a slug taken by a concurrent create is chosen again.
- With an explicit slug, or the same page path, one wins and the others get the field's own 409.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from blocks.models import SiteBlock
from locales.models import Locale, SiteLocale
from revisions.models import BlockRevision
from tests.conftest import build_site, client_with, issue_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(count: int, call: Callable[[int], object]) -> list:
    """`call(i)` in `count` threads released together; the answers in thread order."""
    barrier = threading.Barrier(count)
    answers: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[index] = call(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return answers


@pytest.fixture
def owner_secret():
    site = build_site("acme", ("en", "fr"))
    return issue_token(site, username="olive", role="owner")[1]


def test_ten_concurrent_enables_of_a_new_locale_one_201_nine_409(owner_secret):
    answers = race(10, lambda _: client_with(owner_secret).post("/api/v1/locales", {"code": "it"}, format="json"))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 9, [answer.content[:200] for answer in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json() == {
                "error": {
                    "code": "conflict",
                    "message": "`it` is already enabled on this site.",
                    "fields": {"code": "Already enabled."},
                }
            }
    assert SiteLocale.objects.filter(locale__code="it").count() == 1
    assert Locale.objects.filter(code="it").count() == 1


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_twenty_concurrent_creates_with_one_name_all_succeed_with_suffixed_slugs(owner_secret, locale):
    body = {"name": "Promo", "type": "global", "schema": [{"name": "t", "type": "string"}], "data": {"t": "x"}}
    answers = race(
        20, lambda _: client_with(owner_secret).post(f"/api/v1/site-blocks?locale={locale}", body, format="json")
    )
    assert [answer.status_code for answer in answers] == [201] * 20, [a.content[:200] for a in answers]
    slugs = sorted(answer.json()["data"]["slug"] for answer in answers)
    assert slugs == sorted(["promo"] + [f"promo-{n}" for n in range(2, 21)])
    rows = SiteBlock.objects.filter(locale=locale)
    assert sorted(rows.values_list("slug", flat=True)) == slugs
    assert BlockRevision.objects.filter(block__in=rows).count() == 20  # one revision each, none left over


def test_twenty_concurrent_creates_with_one_explicit_slug_one_wins(owner_secret):
    body = {"name": "Promo", "slug": "promo", "type": "global"}
    answers = race(20, lambda _: client_with(owner_secret).post("/api/v1/site-blocks", body, format="json"))
    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 19
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json() == {
                "error": {
                    "code": "conflict",
                    "message": "The slug `promo` is already taken in this site and locale.",
                    "fields": {"slug": "Taken."},
                }
            }
    assert SiteBlock.objects.count() == 1 and BlockRevision.objects.count() == 1


def test_twenty_concurrent_pages_with_one_path_one_wins(owner_secret):
    body = {"name": "About", "type": "page", "path": "/about"}
    answers = race(20, lambda _: client_with(owner_secret).post("/api/v1/site-blocks", body, format="json"))
    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 19
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json() == {
                "error": {
                    "code": "conflict",
                    "message": "The path `/about` is already taken in this site and locale.",
                    "fields": {"path": "Taken."},
                }
            }
    assert SiteBlock.objects.count() == 1 and BlockRevision.objects.count() == 1

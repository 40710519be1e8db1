"""Benchmark: translation marks of a block list page, small site vs a 1,000-block x 5-locale site.

    DJANGO_SETTINGS_MODULE=cms.settings.test .venv/bin/python bench/translation_marks.py [--blocks 1000]

Prints the time of one page (100 rows) with marks, as a ratio to the same page without marks and to the
same page of a 10-block site, both measured in this run. The target: marks cost a small constant factor
per page, independent of the site's size (queries are asserted in tests/api/test_translation_marks_queries.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LOCALES = ("en", "fr", "es", "de", "it")
SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "body", "type": "richtext"},
    {"name": "n", "type": "number"},
    {
        "name": "links",
        "type": "array",
        "items": {"type": "object", "fields": [{"name": "label", "type": "string"}, {"name": "url", "type": "url"}]},
    },
]


def build(slug: str, count: int):
    # Models after `django.setup()` at the top (startup order).
    from accounts.models import Site
    from blocks.models import SiteBlock
    from locales.models import Locale, SiteLocale

    site = Site.objects.create(name=slug, slug=slug, default_locale="en")
    for code in LOCALES:
        SiteLocale.objects.create(site=site, locale=Locale.objects.get_or_create(code=code)[0])
    rows = []
    for index in range(count):
        key = uuid.uuid4()
        for code in LOCALES:
            links = [{"label": f"L{i} {code}", "url": f"/l{i}"} for i in range(5)]
            rows.append(
                SiteBlock(
                    site=site,
                    locale=code,
                    translation_key=key,
                    name=f"B{index:05d}",
                    slug=f"b-{index}",
                    type="global",
                    schema=SCHEMA,
                    data={"title": f"T{index}", "body": "<p>x</p>" * 20, "n": index, "links": links},
                )
            )
    SiteBlock.objects.bulk_create(rows, batch_size=2000)
    return site


def page(site, marks: bool) -> float:
    # Models after `django.setup()` at the top (startup order).
    from blocks.models import SiteBlock
    from blocks.selectors import translation_marks

    start = time.perf_counter()
    rows = list(SiteBlock.objects.for_site(site).in_locale("en").defer("schema", "data")[:100])
    if marks:
        translation_marks(rows, site=site)
    return time.perf_counter() - start


def best(fn, repeat: int = 7) -> float:
    return min(fn() for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=1000)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        small, big = build("small", 10), build("big", args.blocks)
        plain = best(lambda: page(big, False))
        with_marks = best(lambda: page(big, True))
        small_marks = best(lambda: page(small, True))
        print(f"page of 100 rows, {args.blocks} blocks x {len(LOCALES)} locales")
        print(f"  without marks     {plain * 1000:8.2f} ms  (baseline)")
        print(f"  with marks        {with_marks * 1000:8.2f} ms  x{with_marks / plain:.1f} of baseline")
        print(
            f"  10-block site     {small_marks * 1000:8.2f} ms  (big/small per row: "
            f"x{(with_marks / 100) / (small_marks / 10):.2f})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

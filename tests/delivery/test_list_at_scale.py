"""The delivery list's field filters and keyset cursors on a site of 10,000 published blocks x 3 locales, on
PostgreSQL, through HTTP, against a Python oracle over the same rows (issue 22, "What must be true").

The site is seeded ONCE for the module with bulk inserts (30,000 rows in a few seconds; the services would take
minutes) and read by every test. Each row's data differs per locale, and a sixth of the fr rows and a third of
the de rows are missing, so the list's locale fallback decides which row each block shows: the oracle does the
same fallback in Python. Every operator meets every type it supports (parametrized; hypothesis picks the
value, the locale and a second filter). The last test walks the list by cursor while writers publish in threads
(real transactions) and checks that no block is skipped or repeated; it flushes the database, so it runs last.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.permissions import Actor
from blocks import services
from blocks.models import SiteBlock
from delivery import cache as dcache
from tests.conftest import build_site, issue_token
from tests.delivery.test_delivery_filters import OPERATORS, POOLS, SCHEMA, TYPES, holds, sample_data, typed, value_at

pytestmark = [pytest.mark.postgres]

BLOCKS = 10_000
LOCALES = ("en", "fr", "de")
BASE = "/api/v1/delivery/scale"


def _chain(locale: str) -> list[str]:
    return [locale] if locale == "en" else [locale, "en"]


@dataclass(repr=False)
class Seeded:
    """The seeded site (a short repr: hypothesis prints its arguments)."""

    site: object
    user: object
    shown: dict[str, list]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """`{locale: [(id, name, data)]}`: what the list shows in each locale (fallback applied), by name then id."""
    rng = random.Random(2210)
    with django_db_blocker.unblock():
        site = build_site("scale", LOCALES)
        user, _ = issue_token(site, username="scale-editor")
        now = timezone.now() - timedelta(minutes=1)
        rows = []
        for index in range(BLOCKS):
            key = uuid.uuid4()
            for locale in LOCALES:
                if (locale == "fr" and index % 6 == 1) or (locale == "de" and index % 3 == 2):
                    continue
                data = sample_data(rng)
                rows.append(
                    SiteBlock(
                        site=site,
                        locale=locale,
                        translation_key=key,
                        name=f"N{index:05d}",
                        slug=f"n{index:05d}",
                        type="global",
                        status="published",
                        schema=SCHEMA,
                        data=data,  # the writers re-publish seeded blocks: the same content again
                        published_snapshot={"schema": SCHEMA, "data": data, "template": None},
                        published_version=1,
                        published_at=now,
                    )
                )
        SiteBlock.objects.bulk_create(rows, batch_size=2000)
        shown: dict[str, list] = {}
        by_key: dict = {}
        columns = ("id", "name", "locale", "translation_key", "published_snapshot")
        for row in SiteBlock.objects.filter(site=site).values(*columns):
            by_key.setdefault(row["translation_key"], {})[row["locale"]] = row
        for locale in LOCALES:
            picked = []
            for copies in by_key.values():
                best = next(copies[code] for code in _chain(locale) if code in copies)
                picked.append((best["id"], best["name"], best["published_snapshot"]["data"]))
            shown[locale] = sorted(picked, key=lambda row: (row[1], row[0]))
        yield Seeded(site=site, user=user, shown=shown)
        # no per-row cascade (30,000 rows): the seeded rows have no revisions, events or other dependants
        SiteBlock.objects.filter(site=site)._raw_delete(SiteBlock.objects.db)
        # Then everything else the seed committed (the site, its token, the user): pytest-django runs this module's
        # transactional test in a later group, so this teardown comes first and the tests in between (which
        # count tokens, sites) must not see them.
        site.delete()
        user.delete()


@pytest.fixture(autouse=True)
def fresh_cache():
    dcache.local_clear()


PAIRS = [(path, op) for path, ftype in sorted(TYPES.items()) for op in OPERATORS[ftype]]


def raw_for(draw, ftype: str, op: str) -> str:
    if op == "exists":
        return draw(st.sampled_from(["true", "false"]))
    if op == "match":
        return draw(st.sampled_from(["cloud", "CLO", "y d", "zzz"]))
    if op in ("in", "nin"):
        return ",".join(draw(st.lists(st.sampled_from(POOLS[ftype]), min_size=1, max_size=3, unique=True)))
    return draw(st.sampled_from(POOLS[ftype]))


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "op"), PAIRS)
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_each_operator_on_each_type_matches_the_oracle_at_scale(seeded, path, op, data):
    ftype = TYPES[path]
    locale = data.draw(st.sampled_from(LOCALES))
    chosen = [(path, ftype, op, raw_for(data.draw, ftype, op))]
    if data.draw(st.booleans()):
        other = data.draw(st.sampled_from([pair for pair in PAIRS if pair[0] != path]))
        chosen.append((other[0], TYPES[other[0]], other[1], raw_for(data.draw, TYPES[other[0]], other[1])))
    order = data.draw(st.sampled_from(["", "price", "-price", "day", "-at"]))
    query = "&".join(f"data.{p}[{o}]={quote(raw)}" for p, _, o, raw in chosen)
    url = f"{BASE}/blocks?schemaOf=n00000&locale={locale}&perPage=100&{query}"
    if order:
        url += "&order=" + ("-" if order.startswith("-") else "") + "data." + order.lstrip("-")
    response = Client().get(url)
    assert response.status_code == 200, response.json()
    expected = [
        row for row in seeded.shown[locale] if all(holds(ft, o, value_at(row[2], p), raw) for p, ft, o, raw in chosen)
    ]
    if order:
        field = order.lstrip("-")
        present = [row for row in expected if value_at(row[2], field) is not None]
        present.sort(key=lambda row: row[0])
        present.sort(key=lambda row: typed(TYPES[field], value_at(row[2], field)), reverse=order.startswith("-"))
        expected = present + sorted((row for row in expected if value_at(row[2], field) is None), key=lambda r: r[0])
    body = response.json()
    assert body["meta"]["total"] == len(expected), url
    assert [item["id"] for item in body["data"]] == [row[0] for row in expected[:100]], url


def publisher(site, user, index: int, stop: threading.Event, published: list, failures: list) -> None:
    """Publish new blocks and re-publish seeded ones (same data: same place in the order) until `stop`."""
    actor = Actor(user=user, site=site, role="editor")
    rng = random.Random(index)
    try:
        number = 0
        while not stop.is_set() and number < 200:
            name = f"W{index}x{number:03d}"
            block = services.block_create(
                actor=actor, name=name, type="global", schema=SCHEMA, data=sample_data(rng), locale="en"
            )
            services.block_publish(actor=actor, block=block, expected_version=None)
            published.append(block.pk)
            seeded_row = SiteBlock.objects.get(site=site, locale="en", slug=f"n{rng.randrange(BLOCKS):05d}")
            services.block_publish(actor=actor, block=seeded_row, expected_version=None)
            number += 1
    except Exception as exc:  # reported by the test
        failures.append(f"publisher {index}: {exc!r}")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_cursor_walks_never_skip_or_repeat_while_blocks_are_published(seeded):
    """Two walks (by a field, descending, and by name) of the blocks priced from 30, 100 a page, while three
    writers publish new blocks (some priced from 30, landing before or after the walk's place) and re-publish
    seeded ones. One test: the flush after a transactional test empties the module's site."""
    stop, published, failures = threading.Event(), [], []
    threads = [
        threading.Thread(target=publisher, args=(seeded.site, seeded.user, index, stop, published, failures))
        for index in range(3)
    ]
    for thread in threads:
        thread.start()
    walks: dict[str, list[int]] = {}
    try:
        for order in ("-data.price", ""):
            seen: list[int] = []
            cursor = None
            for _ in range(200):
                url = f"{BASE}/blocks?schemaOf=n00000&data.price[gte]=30&perPage=100" + (
                    f"&order={order}" if order else ""
                )
                body = Client().get(url + (f"&cursor={cursor}" if cursor else "")).json()
                seen += [item["id"] for item in body["data"]]
                cursor = body["meta"]["nextCursor"]
                if cursor is None:
                    break
            walks[order] = seen
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures, failures
    assert published, "the publishers published nothing"
    stayed = {row[0] for row in seeded.shown["en"] if holds("number", "gte", value_at(row[2], "price"), "30")}
    for order, seen in walks.items():
        assert len(seen) == len(set(seen)), f"{order}: a block was repeated"
        assert stayed <= set(seen), f"{order}: a block was skipped"

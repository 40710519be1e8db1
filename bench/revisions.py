"""Benchmark: listing a block's revisions with 10 vs 10,000 of them (target: under 2x).

Builds a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL says so), a block with 10 revisions
written through the service and one with 10,000 (the first through the service, the rest bulk-inserted as
the recorder would write them), then times `GET /api/v1/site-blocks/{slug}/revisions` through the full stack
(token auth, view, pagination, rendering) and prints the medians, the ratio and the query counts.

    .venv/bin/python bench/revisions.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core import serializers  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from reversion.models import Revision, Version  # noqa: E402

SMALL, LARGE = 10, 10_000


def bulk_history(block, count: int, batch: int = 2_000) -> None:
    """`count` more revisions of `block`, inserted in bulk: reversion's Revision and Version, our BlockRevision."""
    # Models after `django.setup()` at the top (startup order).
    from revisions.models import BlockRevision

    start = BlockRevision.objects.filter(block=block).count()
    snapshot = serializers.serialize("json", [block])
    content_type = ContentType.objects.get_for_model(type(block))
    done = 0
    while done < count:
        size = min(batch, count - done)
        now = timezone.now()
        created = Revision.objects.bulk_create(
            [Revision(date_created=now, comment="Updated data") for _ in range(size)]
        )
        if created[0].pk is None:  # a backend that does not return ids from bulk inserts
            created = list(Revision.objects.order_by("-pk")[:size])[::-1]
        Version.objects.bulk_create(
            Version(
                revision=revision,
                content_type=content_type,
                object_id=str(block.pk),
                db="default",
                format="json",
                serialized_data=snapshot,
                object_repr=block.name,
            )
            for revision in created
        )
        BlockRevision.objects.bulk_create(
            BlockRevision(
                revision=revision,
                block=block,
                number=start + done + index + 1,
                author=block.created_by,
                comment="Updated data",
                changes=[{"field": "data.title", "from": f"t{index}", "to": f"t{index + 1}"}],
                created_at=now,
            )
            for index, revision in enumerate(created)
        )
        done += size


def timed(client, urls: list[str], repeat: int) -> list[tuple[float, int]]:
    """Median time and query count per URL; requests alternate between the URLs so machine load hits all alike."""
    for _ in range(10):  # warm up
        for url in urls:
            assert client.get(url).status_code == 200
    samples: list[list[float]] = [[] for _ in urls]
    for _ in range(repeat):
        for index, url in enumerate(urls):
            started = time.perf_counter()
            response = client.get(url)
            samples[index].append(time.perf_counter() - started)
            assert response.status_code == 200
    results = []
    for index, url in enumerate(urls):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results.append((statistics.median(samples[index]), len(queries.captured_queries)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    # Models after `django.setup()` at the top (startup order).
    from accounts.permissions import Actor
    from blocks import services
    from revisions.models import BlockRevision
    from tests.conftest import build_site, client_with, issue_token

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        site = build_site("bench", ("en",))
        user, secret = issue_token(site, username="bench")
        actor = Actor(user=user, site=site, role="owner")
        schema = [{"name": "title", "type": "string"}]
        for name, count in (("small", SMALL), ("large", LARGE)):
            block = services.block_create(actor=actor, name=name, type="global", schema=schema)
            written = 1
            for index in range(min(count, SMALL) - 1):
                block = services.block_update_data(
                    actor=actor, block=block, data={"title": f"t{index}"}, expected_version=None
                )
                written += 1
            bulk_history(block, count - written)
            assert BlockRevision.objects.filter(block=block).count() == count
        client = client_with(secret)
        (small, small_queries), (large, large_queries), (last_page, _) = timed(
            client,
            [
                "/api/v1/site-blocks/small/revisions",
                "/api/v1/site-blocks/large/revisions",
                "/api/v1/site-blocks/large/revisions?page=667",
            ],
            args.repeat,
        )
        print(f"revisions list ({connection.vendor}, median of {args.repeat}, page 1 of 15):")
        print(f"  {SMALL:>6} revisions: {small * 1000:7.2f} ms  {small_queries} queries")
        print(f"  {LARGE:>6} revisions: {large * 1000:7.2f} ms  {large_queries} queries")
        print(f"  {LARGE:>6} revisions, last page: {last_page * 1000:7.2f} ms")
        ratio = large / small
        print(f"  ratio 10,000 / 10: {ratio:.2f}x (target < 2x) {'OK' if ratio < 2 else 'OVER TARGET'}")
        print(f"  same query count: {'yes' if small_queries == large_queries else 'NO'}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

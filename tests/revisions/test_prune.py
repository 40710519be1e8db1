"""`prune_revisions`: by count and by age, through the management command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from reversion.models import Revision, Version

from blocks.models import SiteBlock
from blocks.services.writing import block_state
from revisions.models import BlockRevision
from revisions.recording import record_block_revision


def run(*args) -> str:
    out = StringIO()
    call_command("prune_revisions", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def two_histories(site):
    blocks = []
    for slug, count in (("a", 7), ("b", 2)):
        block = SiteBlock.objects.create(site=site, locale="en", name=slug, slug=slug, type="global")
        for _ in range(count):
            record_block_revision(block, user=None, comment="w", before=None, after=block_state(block))
        blocks.append(block)
    return blocks


def numbers(block) -> list[int]:
    return list(BlockRevision.objects.filter(block=block).values_list("number", flat=True))


@pytest.mark.django_db
def test_prune_by_count_in_small_batches(two_histories):
    a, b = two_histories
    assert run("--keep", "3", "--dry-run") == "Would delete 4 revisions (4 by count, 0 by age)."
    assert numbers(a) == [7, 6, 5, 4, 3, 2, 1]
    assert run("--keep", "3", "--batch-size", "1") == "Deleted 4 revisions (4 by count, 0 by age)."
    assert numbers(a) == [7, 6, 5]
    assert numbers(b) == [2, 1]
    assert Revision.objects.count() == Version.objects.count() == 5
    assert run("--keep", "3") == "Deleted 0 revisions (0 by count, 0 by age)."


@pytest.mark.django_db
def test_prune_by_age_keeps_each_blocks_newest(two_histories):
    a, b = two_histories
    BlockRevision.objects.update(created_at=timezone.now() - timedelta(days=40))
    BlockRevision.objects.filter(block=a, number=7).update(created_at=timezone.now())
    assert run("--older-than-days", "30", "--batch-size", "2") == "Deleted 7 revisions (0 by count, 7 by age)."
    assert numbers(a) == [7]
    assert numbers(b) == [2]  # old, but the newest of its block


@pytest.mark.django_db
def test_prune_uses_the_setting_and_refuses_nonsense(two_histories, settings):
    with pytest.raises(CommandError, match="Nothing to prune"):
        run()
    with pytest.raises(CommandError, match="at least 1"):
        run("--keep", "0")
    settings.CMS = {**settings.CMS, "REVISIONS_KEEP_PER_BLOCK": 1}
    assert run() == "Deleted 7 revisions (7 by count, 0 by age)."
    a, b = two_histories
    assert (numbers(a), numbers(b)) == ([7], [2])

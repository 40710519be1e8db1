"""Pruning old revisions: keep the newest N per block, and/or drop those older than a cut-off.

Works in batches of ids, so memory stays flat however large the history is: blocks are walked a page of ids
at a time, and revisions are deleted a batch at a time (reversion's `Revision`, with its `Version` and our
`BlockRevision`, in one cascade). Pruning by age never removes a block's newest revision, so every block
keeps a record of its current state and who made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef

from revisions.models import BlockRevision
from revisions.recording import delete_revisions


@dataclass
class PruneResult:
    by_count: int = 0
    by_age: int = 0

    @property
    def total(self) -> int:
        return self.by_count + self.by_age


def prune_revisions(
    *, keep: int | None = None, older_than: datetime | None = None, batch_size: int = 500, dry_run: bool = False
) -> PruneResult:
    """Delete revisions beyond the newest `keep` of each block, and those created before `older_than`."""
    assert keep is None or keep >= 1, "keep must be at least 1 (use delete to drop a whole history)"
    result = PruneResult()
    if keep:
        result.by_count = _prune_by_count(keep, batch_size, dry_run)
    if older_than is not None:
        result.by_age = _prune_by_age(older_than, batch_size, dry_run)
    return result


def _prune_by_count(keep: int, batch_size: int, dry_run: bool) -> int:
    deleted = 0
    last_block = 0
    over = BlockRevision.objects.order_by().values("block_id").annotate(n=Count("pk")).filter(n__gt=keep)
    while True:
        page = list(over.filter(block_id__gt=last_block).order_by("block_id")[:batch_size])
        if not page:
            return deleted
        for row in page:
            history = BlockRevision.objects.filter(block_id=row["block_id"])
            cutoff = history.order_by("-number").values_list("number", flat=True)[keep - 1]
            doomed = history.filter(number__lt=cutoff)
            if dry_run:
                deleted += doomed.count()
            else:
                with transaction.atomic():
                    deleted += delete_revisions(doomed, batch_size=batch_size)
        last_block = page[-1]["block_id"]


def _prune_by_age(older_than: datetime, batch_size: int, dry_run: bool) -> int:
    newer = BlockRevision.objects.filter(block_id=OuterRef("block_id"), number__gt=OuterRef("number"))
    doomed = BlockRevision.objects.filter(created_at__lt=older_than).filter(Exists(newer))
    if dry_run:
        return doomed.count()
    return delete_revisions(doomed, batch_size=batch_size)

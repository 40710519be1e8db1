"""`BlockRevision`: what a block revision adds beside django-reversion's `Revision` and `Version`.

reversion stores the full serialized block (`Version.serialized_data`) of each revision. Beside it we keep one
`BlockRevision` row per revision, carrying what the history screens need without touching old snapshots: the
block, its number within the block's history, the author, the comment, and the change list computed when the
revision was written. Its primary key *is* the reversion `Revision` id (one revision = one block), so the API's
revision id and reversion's agree and deleting the `Revision` removes the rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BlockRevisionQuerySet(models.QuerySet):
    def for_block(self, block) -> BlockRevisionQuerySet:
        return self.filter(block=block)

    def newest_first(self) -> BlockRevisionQuerySet:
        return self.order_by("-number")


class BlockRevision(models.Model):
    revision = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, primary_key=True, related_name="block_revision"
    )
    block = models.ForeignKey("blocks.SiteBlock", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1, 2, 3… within the block's history.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    changes = models.JSONField(default=list, blank=True, help_text="[{field, from, to}] against the previous state.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = BlockRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            # Also the index behind the newest-first listing of one block (scanned backwards).
            models.UniqueConstraint(fields=["block", "number"], name="blockrevision_unique_number"),
        ]
        indexes = [models.Index(fields=["created_at"], name="blockrevision_created")]

    def __str__(self) -> str:
        return f"Revision {self.pk} (#{self.number}) of block {self.block_id}"

    @property
    def id(self) -> int:
        return self.revision_id

"""Releases: a named set of block changes on one site that go live together, in one transaction.

An item says what to do with one locale copy of a block when the release is published (publish its working
copy, or unpublish it), and remembers the block's version when it was added: a block edited since is flagged
as a conflict before publishing, so nobody publishes unreviewed content by accident. Publishing records, per
item, what was live before (`before`), which is what a rollback puts back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import Site
from blocks.models import SiteBlock


class ReleaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    PUBLISHED = "published", "Published"
    ROLLED_BACK = "rolled_back", "Rolled back"


class ItemAction(models.TextChoices):
    PUBLISH = "publish", "Publish the working copy"
    UNPUBLISH = "unpublish", "Unpublish"


class Release(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="releases")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.OPEN)
    # Bumped by every change of the release or its items: its ETag, for If-Match.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    # Set by `scheduling` (the worker publishes the release then, as `scheduled_by`); cleared when it publishes
    # or fails (the failure is kept in `schedule_failure` until the next schedule or publish).
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    schedule_accepts_changes = models.BooleanField(default=False)
    schedule_failure = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "status"], name="release_site_status")]

    def __str__(self) -> str:
        return self.name


class ReleaseItem(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="items")
    block = models.ForeignKey(SiteBlock, on_delete=models.CASCADE, related_name="release_items")
    action = models.CharField(max_length=20, choices=ItemAction.choices, default=ItemAction.PUBLISH)
    # The block's version when it was added (or added again): what was reviewed.
    version_added = models.PositiveIntegerField()
    # What was live before the release published (`blocks.services.publishing.live_state`); None until then.
    before = models.JSONField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["release", "block"], name="release_item_unique_block")]

    def __str__(self) -> str:
        return f"{self.release} - {self.block} ({self.action})"

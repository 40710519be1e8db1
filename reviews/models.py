"""Review before publish: a request to review one block's locale copy or one release, and what reviewers said.

A review request is bound to the exact state it was made for: `fingerprint` is a hash of what would go live
(a block's schema and data as a publish snapshots them; a release's items with their blocks' fingerprints), so
an approval covers that state only, and any change after it needs a new approval (`reviews.gate`). A new
request for the same block or release supersedes the open one; the old requests and their comments stay as the
review history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Site
from blocks.models import SiteBlock
from releases.models import Release


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    SUPERSEDED = "superseded", "Superseded by a newer request"


class CommentKind(models.TextChoices):
    REQUESTED = "requested", "Submitted for review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Requested changes"


class Review(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="reviews")
    # Exactly one of the two (a database constraint says so).
    block = models.ForeignKey(SiteBlock, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    # The state reviewed: the target's version when submitted (for people) and its content fingerprint (the rule).
    target_version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    # Bumped by every change of the review: its ETag, for If-Match on approve and request-changes.
    version = models.PositiveIntegerField(default=1)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        # The admin nav's entry is the page of what waits for me (reviews/admin.py).
        verbose_name_plural = "reviews waiting for me"
        indexes = [
            models.Index(fields=["site", "status", "requested_at"], name="review_site_status"),
            models.Index(fields=["block", "status"], name="review_block_status"),
            models.Index(fields=["release", "status"], name="review_release_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(block__isnull=False, release__isnull=True) | Q(block__isnull=True, release__isnull=False),
                name="review_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.block or self.release} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.PENDING


class ReviewComment(models.Model):
    """What someone said at one step: the submitter's note, the approval, the changes asked for."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(max_length=20, choices=CommentKind.choices)
    body = models.TextField(blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.review_id})"

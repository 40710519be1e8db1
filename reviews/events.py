"""Review events: what the review services announce, for the apps above (webhooks), subscribed in `wiring.connect`.

`recorded` runs inside the review's transaction with one `ReviewEvent`: what its subscribers write (the
webhooks' outbox row) commits or rolls back with the review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from cms.hooks import Hook

EVENTS = ("review.requested", "review.approved", "review.changes_requested")

recorded = Hook("review event recorded", after_commit=False)


@dataclass(frozen=True)
class ReviewEvent:
    event: str
    site_id: int
    review: dict  # id, status, targetVersion, requestedBy, decidedBy, comment
    block: dict | None  # the block's id, slug, type, locale, path, status, translationKey (a block review)
    release: dict | None  # the release's id, name, status (a release review)
    version: int  # the target's version when it was submitted
    user_id: int | None
    occurred_at: datetime = field(default_factory=timezone.now)

    @property
    def block_type(self) -> str:
        return self.block["type"] if self.block else ""

    @property
    def locale(self) -> str:
        return self.block["locale"] if self.block else ""

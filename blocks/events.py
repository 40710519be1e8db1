"""Block events: what services announce after a write commits.

Every write service calls `emit(...)` inside its transaction; the listeners named in
`settings.CMS["EVENT_LISTENERS"]` run only after the commit (so a rolled-back write announces nothing).
Cache invalidation and webhooks hang off this, not off model signals, so the order of events is visible in
the service code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from cms.conf import cms_setting

logger = logging.getLogger("cms.events")

EVENTS = (
    "block.created",
    "block.updated",
    "block.schema_updated",
    "block.published",
    "block.unpublished",
    "block.deleted",
    "block.restored",
    "block.copied",
    "block.publish_failed",
)


@dataclass(frozen=True)
class BlockEvent:
    event: str
    site_id: int
    block_id: int
    translation_key: str
    slug: str
    locale: str
    type: str
    path: str | None
    status: str
    version: int
    user_id: int | None
    occurred_at: datetime = field(default_factory=timezone.now)
    extra: dict = field(default_factory=dict)


def emit(event: str, block, *, user=None, extra: dict | None = None) -> None:
    assert event in EVENTS, f"Unknown block event {event!r}; add it to blocks.events.EVENTS"
    payload = BlockEvent(
        event=event,
        site_id=block.site_id,
        block_id=block.pk,
        translation_key=str(block.translation_key),
        slug=block.slug,
        locale=block.locale,
        type=block.type,
        path=block.path,
        status=block.status,
        version=block.version,
        user_id=getattr(user, "pk", None),
        extra=dict(extra or {}),
    )
    transaction.on_commit(lambda: dispatch(payload))


def dispatch(payload: BlockEvent) -> None:
    for dotted in cms_setting("EVENT_LISTENERS"):
        try:
            import_string(dotted)(payload)
        except Exception:  # one broken listener must not stop the others or fail a committed write
            logger.exception("Block event listener %s failed for %s", dotted, payload.event)

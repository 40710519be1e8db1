"""Block events: what block services announce about each write.

Every write service calls `emit(...)` inside its transaction (through the one write path,
`blocks.services.writing`). Two hooks (`cms.hooks`) carry the events to the apps above, subscribed in
`wiring.connect`:

- `recorded` runs *inside* the write's transaction, with a list of events: what its subscribers write (the
  webhooks' outbox) commits or rolls back with the write, so a committed write can never lose its record,
  and a rolled-back one leaves none. Subscribers only write rows (no network) and stay cheap: their time is
  the write's. An exception from one fails the write. Events emitted inside `with together():` (a write that
  updates and publishes, or writes several blocks: a schema across the locale copies, a site copied to a
  locale) reach it as ONE list when the block ends, so they can be recorded in one row; any other event
  reaches it alone, at once.
- `committed` runs once per event, *after* the commit (so a rolled-back write announces nothing), for what
  cannot be transactional (the delivery cache). A failing subscriber is logged; it cannot undo the write.

Cache invalidation and webhooks hang off these, not off model signals, so the order of events is visible in
`wiring.connect` and in the service code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from cms.hooks import Hook

_together: ContextVar[list | None] = ContextVar("block_events_together", default=None)

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


# Inside the write's transaction, just before a write publishes (the row locked, its content final, not saved
# yet), with `actor`, `block` and `via` (None, or what publishes it on the caller's behalf, e.g. "release:12"):
# a subscriber may refuse the publish by raising a `CmsError` (review before publish, `reviews.gate`), and
# nothing is written.
publishing = Hook("block publishing", after_commit=False)
# Inside the write's transaction, with `list[BlockEvent]` (see the module docstring).
recorded = Hook("block events recorded", after_commit=False)
# After the write commits, with one `BlockEvent`.
committed = Hook("block event committed", after_commit=True)


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
    pending = _together.get()
    if pending is not None:
        pending.append(payload)
    else:
        _announce([payload])


@contextmanager
def together() -> Iterator[None]:
    """Announce the events emitted inside as one batch when the block ends (in their order).

    Why: each recorder call may cost the write a statement, and one change often emits several events
    (`block.updated` + `block.published`). If the block raises, its events are dropped with it, neither
    recorded nor dispatched: the failed change is expected to roll back. Nested blocks join the outermost.
    """
    if _together.get() is not None:
        yield
        return
    pending: list[BlockEvent] = []
    token = _together.set(pending)
    try:
        yield
    finally:
        _together.reset(token)
    if pending:
        _announce(pending)


def _announce(payloads: list[BlockEvent]) -> None:
    recorded.fire(payloads)
    for payload in payloads:
        committed.fire(payload)

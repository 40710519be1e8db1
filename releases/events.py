"""Release hooks and events: what the release services announce, for the apps above (subscribed in
`wiring.connect`).

- `publishing` runs inside the release's publish transaction, after its conflicts and fields were checked and
  before any block is written, with `actor`, `release` and `items` (each with its locked block): a subscriber
  may refuse the publish by raising a `CmsError` (review before publish, `reviews.gate`), and nothing is
  written. The items' own block publishes then say `via="release:<id>"`, so a check made for the release as a
  whole is not made again per block.
- `recorded`: one event per release write (not one per block: the blocks' own `block.published`… events are
  announced by the blocks services as usual), so a receiver that rebuilds a static site on `release.published`
  rebuilds once for the whole campaign. It runs inside the release's transaction, like
  `blocks.events.recorded`: what its subscriber writes (the webhooks' outbox row) commits with the release or
  vanishes with its rollback, so nothing is announced before the commit and a committed release never loses
  its event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from cms.hooks import Hook

publishing = Hook("release publishing", after_commit=False)


def via(release_id: int) -> str:
    """How a release's item publishes name the release to `blocks.events.publishing`."""
    return f"release:{release_id}"


EVENTS = ("release.published", "release.rolled_back")

# Inside the release's transaction, with one `ReleaseEvent`.
recorded = Hook("release event recorded", after_commit=False)


@dataclass(frozen=True)
class ReleaseItemFacts:
    """One item as it stands after the write: the block, what the release did with it, its version then."""

    block_id: int
    slug: str
    type: str
    locale: str
    path: str | None
    action: str
    status: str
    version: int


@dataclass(frozen=True)
class ReleaseEvent:
    event: str
    site_id: int
    release_id: int
    name: str
    release_version: int
    user_id: int | None
    items: tuple[ReleaseItemFacts, ...]
    occurred_at: datetime = field(default_factory=timezone.now)


def emit(event: str, release, items, *, user=None) -> None:
    """Announce `event` for `release` and its `items` (ReleaseItem rows whose `block` is up to date)."""
    assert event in EVENTS, f"Unknown release event {event!r}; add it to releases.events.EVENTS"
    facts = tuple(
        ReleaseItemFacts(
            block_id=item.block.pk,
            slug=item.block.slug,
            type=item.block.type,
            locale=item.block.locale,
            path=item.block.path,
            action=item.action,
            status=item.block.status,
            version=item.block.version,
        )
        for item in sorted(items, key=lambda one: one.pk)
    )
    recorded.fire(
        ReleaseEvent(
            event=event,
            site_id=release.site_id,
            release_id=release.pk,
            name=release.name,
            release_version=release.version,
            user_id=getattr(user, "pk", None),
            items=facts,
        )
    )

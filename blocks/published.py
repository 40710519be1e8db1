"""What a reader may see of a site's blocks: the live rows (or, in preview, every row's working copy), the
content a reader sees of a row, and the best row along a locale chain.

Live means published, with a snapshot, not past its scheduled unpublish time and not before its publish
time: checked here, on every read, so a late scheduler never leaves expired content online. Preview reads
see every row's working copy. Only the columns an answer uses are loaded (the working copy of a published
block can be large and is never shown live).

The delivery API (`delivery.selectors`) and the built-in data sources (`blocks.datasources.builtins`) both
read through these, so a block's data source sees exactly what a delivery reader would.

A release's preview (`showing_release`) is a live read with an overlay: the release's `publish` items are read
as their working copies, its `unpublish` items are hidden, everything else is live. It is carried by a context
variable for the length of one delivery request, because every read of that request (the block, the page's
alternates, the data sources' references, however deep) must see the same state; threading a third mode
through each `preview` argument of those layers would change every signature for one reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from blocks.models import BlockStatus, SiteBlock, SiteBlockQuerySet

COMMON_FIELDS = (
    "id",
    "site_id",
    "locale",
    "translation_key",
    "name",
    "slug",
    "type",
    "path",
    "tags",
    "status",
    "published_version",
    "published_at",
    "scheduled_unpublish_at",
    "created_at",
    "updated_at",
)
LIVE_FIELDS = (*COMMON_FIELDS, "published_snapshot")
PREVIEW_FIELDS = (*COMMON_FIELDS, "schema", "data", "version", "template_ref")
OVERLAY_FIELDS = (*LIVE_FIELDS, "schema", "data", "version", "template_ref")


@dataclass(frozen=True)
class ReleaseOverlay:
    """What a release would change: the blocks it publishes (their working copies) and those it unpublishes."""

    release_id: int
    publish_ids: frozenset[int]
    unpublish_ids: frozenset[int]


_overlay: ContextVar[ReleaseOverlay | None] = ContextVar("release_overlay", default=None)


@contextmanager
def showing_release(overlay: ReleaseOverlay | None) -> Iterator[None]:
    """Inside: live reads show the site as if `overlay`'s release were published (None: as it is)."""
    token = _overlay.set(overlay)
    try:
        yield
    finally:
        _overlay.reset(token)


def shows_working_copy(row: SiteBlock, *, preview: bool) -> bool:
    """Whether a reader sees `row`'s working copy: in preview, or as an item a shown release publishes."""
    if preview:
        return True
    overlay = _overlay.get()
    return overlay is not None and row.pk in overlay.publish_ids


#: How far ahead of a reader's clock a publish time may be and the row still count as live. A publish stamps
#: `published_at` with its own clock before it commits, and a reader takes `now` before its query's snapshot:
#: a re-publish that stamps after the reader's `now` and commits before its SELECT was hidden from that read
#: (a list skipped the block, a single read fell back or said 404), as was any publish from an app host whose
#: clock runs ahead. No write sets a publish time in the future (schedules wait in `scheduled_publish_at`).
PUBLISH_CLOCK_SLACK = timedelta(seconds=5)


def live_q(now: datetime) -> Q:
    """`SiteBlock.objects.live()` plus "not before its publish time" (give or take `PUBLISH_CLOCK_SLACK`), as
    one Q: a miss builds its query in one `filter` call (each call re-walks Django's query machinery; misses
    are ORM-bound, not SQL-bound)."""
    return (
        Q(status=BlockStatus.PUBLISHED, published_snapshot__isnull=False)
        & (Q(scheduled_unpublish_at__isnull=True) | Q(scheduled_unpublish_at__gt=now))
        & (Q(published_at__isnull=True) | Q(published_at__lte=now + PUBLISH_CLOCK_SLACK))
    )


def readable_blocks(
    site_id: int, *, preview: bool = False, now: datetime | None = None, where: Q | None = None
) -> SiteBlockQuerySet:
    """The site's rows a delivery reader may see (live ones, or every row's working copy in preview), with
    `where` on top, unordered (callers order when they need to)."""
    condition = Q(site_id=site_id)
    fields: tuple[str, ...] = PREVIEW_FIELDS if preview else LIVE_FIELDS
    overlay = None if preview else _overlay.get()
    if overlay is not None:
        changed = overlay.publish_ids | overlay.unpublish_ids
        condition &= (live_q(now or timezone.now()) & ~Q(pk__in=changed)) | Q(pk__in=overlay.publish_ids)
        fields = OVERLAY_FIELDS
    elif not preview:
        condition &= live_q(now or timezone.now())
    if where is not None:
        condition &= where
    return SiteBlock.objects.filter(condition).only(*fields).order_by()


def content_of(row: SiteBlock, *, preview: bool) -> tuple[list, dict]:
    """`(schema, data)` a reader sees: the published snapshot, or the working copy in preview."""
    if shows_working_copy(row, preview=preview):
        return row.schema or [], row.data or {}
    snapshot = row.published_snapshot or {}
    return snapshot.get("schema") or [], snapshot.get("data") or {}


def best_in_chain(rows, chain: list[str]) -> SiteBlock | None:
    """The row in the earliest locale of `chain` (rows of one block in several locales)."""
    rank = {code: index for index, code in enumerate(chain)}
    found = [row for row in rows if row.locale in rank]
    return min(found, key=lambda row: rank[row.locale]) if found else None

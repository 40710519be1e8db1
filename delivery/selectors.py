"""Reads for the delivery API: the rows a reader may see, and the locale fallback done in SQL.

Live means published, with a snapshot, not past its scheduled unpublish time and not before its publish
time: checked here, on every read, so a late scheduler never leaves expired content online. Preview reads
see every row's working copy. Only the columns an answer uses are loaded (the working copy of a published
block can be large and is never shown live).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q
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
PREVIEW_FIELDS = (*COMMON_FIELDS, "schema", "data", "version")


def live_q(now: datetime) -> Q:
    """`SiteBlock.objects.live()` plus "not before its publish time", as one Q: a miss builds its query in
    one `filter` call (each call re-walks Django's query machinery; misses are ORM-bound, not SQL-bound)."""
    return (
        Q(status=BlockStatus.PUBLISHED, published_snapshot__isnull=False)
        & (Q(scheduled_unpublish_at__isnull=True) | Q(scheduled_unpublish_at__gt=now))
        & (Q(published_at__isnull=True) | Q(published_at__lte=now))
    )


def readable_blocks(
    site_id: int, *, preview: bool = False, now: datetime | None = None, where: Q | None = None
) -> SiteBlockQuerySet:
    """The site's rows a delivery reader may see (live ones, or every row's working copy in preview), with
    `where` on top, unordered (callers order when they need to)."""
    condition = Q(site_id=site_id)
    if not preview:
        condition &= live_q(now or timezone.now())
    if where is not None:
        condition &= where
    return SiteBlock.objects.filter(condition).only(*(PREVIEW_FIELDS if preview else LIVE_FIELDS)).order_by()


def content_of(row: SiteBlock, *, preview: bool) -> tuple[list, dict]:
    """`(schema, data)` a reader sees: the published snapshot, or the working copy in preview."""
    if preview:
        return row.schema or [], row.data or {}
    snapshot = row.published_snapshot or {}
    return snapshot.get("schema") or [], snapshot.get("data") or {}


def best_in_chain(rows, chain: list[str]) -> SiteBlock | None:
    """The row in the earliest locale of `chain` (rows of one block in several locales)."""
    rank = {code: index for index, code in enumerate(chain)}
    found = [row for row in rows if row.locale in rank]
    return min(found, key=lambda row: rank[row.locale]) if found else None


def block_by_slug(site_id: int, slug: str, chain: list[str], *, preview: bool = False) -> SiteBlock | None:
    """One query: the block `slug` in every locale of the chain; the best one wins."""
    rows = readable_blocks(site_id, preview=preview, where=Q(slug=slug, locale__in=chain))
    return best_in_chain(list(rows), chain)


def page_by_path(site_id: int, path: str, chain: list[str], *, preview: bool = False) -> SiteBlock | None:
    """One query: the page at `path` in every locale of the chain; the best one wins."""
    rows = readable_blocks(site_id, preview=preview, where=Q(path=path, locale__in=chain, type="page"))
    return best_in_chain(list(rows), chain)


def fallback_rows(site_id: int, chain: list[str], *, preview: bool = False) -> SiteBlockQuerySet:
    """Each block (translation key) once, in the earliest locale of `chain` that has it.

    A row in `chain[i]` is kept when no readable row of the same translation key exists in `chain[:i]`;
    the database does this with NOT EXISTS, so a page of a 10,000-block site is still two queries.
    """
    keep = Q(locale=chain[0])
    for index, code in enumerate(chain[1:], start=1):
        better = readable_blocks(site_id, preview=preview).filter(
            translation_key=OuterRef("translation_key"), locale__in=chain[:index]
        )
        keep |= Q(locale=code) & Q(~Exists(better))
    return readable_blocks(site_id, preview=preview).filter(locale__in=chain).filter(keep)


def block_page(
    site_id: int,
    chain: list[str],
    *,
    preview: bool = False,
    type: str | None = None,
    tags: list[str] | None = None,
    page: int = 1,
    per_page: int = 15,
) -> tuple[list[SiteBlock], int, datetime | None]:
    """`(rows of the page, total, earliest scheduled unpublish among all matches)`, in two queries."""
    rows = fallback_rows(site_id, chain, preview=preview)
    if type:
        rows = rows.filter(type=type)
    if tags:
        rows = rows.with_any_tag(tags)
    summary = rows.aggregate(total=Count("id"), expires=Min("scheduled_unpublish_at"))
    total = summary["total"]
    offset = (page - 1) * per_page
    found = list(rows.order_by("name", "id")[offset : offset + per_page]) if offset < total else []
    return found, total, summary["expires"]

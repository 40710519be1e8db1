"""Reads for the delivery API: one block or page along the locale chain, and a page of blocks with the
locale fallback done in SQL. What a reader may see at all (live or preview rows) is `blocks.published`."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, Min, OuterRef, Q

from blocks.fieldquery import Compiled, Cursor, SortKey, after
from blocks.models import SiteBlock, SiteBlockQuerySet
from blocks.published import best_in_chain, readable_blocks


def block_by_slug(site_id: int, slug: str, chain: list[str], *, preview: bool = False) -> SiteBlock | None:
    """One query: the block `slug` in every locale of the chain; the best one wins."""
    rows = readable_blocks(site_id, preview=preview, where=Q(slug=slug, locale__in=chain))
    return best_in_chain(list(rows), chain)


def page_by_path(site_id: int, path: str, chain: list[str], *, preview: bool = False) -> SiteBlock | None:
    """One query: the page at `path` in every locale of the chain; the best one wins."""
    rows = readable_blocks(site_id, preview=preview, where=Q(path=path, locale__in=chain, type="page"))
    return best_in_chain(list(rows), chain)


def page_alternates(
    site_id: int, page: SiteBlock, locales: list[str], *, preview: bool = False
) -> tuple[list[dict[str, str]], datetime | None]:
    """The same page in the site's other enabled `locales` a reader may see, each with its own path
    (`/pricing` in en, `/tarifs` in fr), by locale: what a frontend needs for `hreflang` links. Also the
    earliest of their scheduled unpublish times (the answer changes then). One query."""
    rows = (
        readable_blocks(site_id, preview=preview, where=Q(translation_key=page.translation_key, locale__in=locales))
        .filter(type="page")
        .exclude(pk=page.pk)
        .order_by("locale")
        .values_list("locale", "path", "scheduled_unpublish_at")
    )
    alternates: list[dict[str, str]] = []
    expires = None
    for locale, path, unpublish_at in rows:
        alternates.append({"locale": locale, "path": path or ""})  # a page always has a path (a constraint)
        if unpublish_at is not None and (expires is None or unpublish_at < expires):
            expires = unpublish_at
    return alternates, expires


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
    fields: Compiled | None = None,
    sort: SortKey | None = None,
    cursor: Cursor | None = None,
) -> tuple[list[SiteBlock], int, datetime | None]:
    """`(rows of the page, total, earliest scheduled unpublish among all matches)`, in two queries.

    `fields`: field filters and ordering (`blocks.fieldquery`), applied in the database, where the schema
    narrowing (`same_schema`) is already part of `fields.where`. `cursor` (with the list's `sort`): the
    rows after it instead of page `page`; `total` still counts every match. A field order's value is on
    each row as `qorder` (the next cursor is made from it)."""
    rows = fallback_rows(site_id, chain, preview=preview)
    if type:
        rows = rows.filter(type=type)
    if tags:
        rows = rows.with_any_tag(tags)
    order: list = ["name", "id"]
    if fields is not None:
        aliases = dict(fields.aliases)
        shown = {"qorder": aliases.pop("qorder")} if "qorder" in aliases else {}
        rows = rows.alias(**aliases).annotate(**shown).filter(fields.where)
        order = fields.order
    summary = rows.aggregate(total=Count("id"), expires=Min("scheduled_unpublish_at"))
    total = summary["total"]
    if cursor is not None and sort is not None:
        found = list(rows.filter(after(sort, cursor)).order_by(*order)[:per_page]) if total else []
        return found, total, summary["expires"]
    offset = (page - 1) * per_page
    found = list(rows.order_by(*order)[offset : offset + per_page]) if offset < total else []
    return found, total, summary["expires"]

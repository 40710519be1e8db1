"""Building a delivery answer on a cache miss: query, resolve data sources, render bytes once.

An answer is an `Entry`: the JSON bytes, their gzip (bodies over `CMS["DELIVERY_GZIP_MIN_BYTES"]`), a
strong ETag (a hash of the bytes, so it covers site, locale, published version and resolved sources alike,
and stays the same when an unrelated publish bumps the generation), the locale served and the instant the
answer stops being true (the earliest scheduled unpublish among what it shows). `not_found` answers are
entries too, so hostile or mistaken URLs are cache hits as well.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import time
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Site
from blocks import fieldquery as filters
from blocks import references
from blocks.datasources.resolver import Resolution, copy_json
from blocks.models import BlockType, SiteBlock
from blocks.published import content_of, shows_working_copy
from cms import errors
from cms.api.formats import iso_ms
from cms.api.renderers import dumps
from cms.conf import cms_setting
from delivery import cdn, rendered, selectors
from delivery.cache import Entry, SiteFacts, digest


def site_stub(facts: SiteFacts) -> Site:
    """A Site instance built from cached facts: what sources and selectors need, without a query."""
    return Site(id=facts.id, slug=facts.slug, is_public=facts.is_public, default_locale=facts.default_locale)


def render(
    status: int, payload: dict, *, locale: str | None = None, expires: datetime | None = None, keys: str = ""
) -> Entry:
    body = dumps(payload)
    gzipped = None
    if len(body) > cms_setting("DELIVERY_GZIP_MIN_BYTES"):
        gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return Entry(
        status=status,
        body=body,
        gzipped=gzipped,
        etag=etag,
        locale=locale,
        expires_at=expires.timestamp() if expires is not None else None,
        keys=keys,
    )


def error_entry(error: errors.CmsError, *, keys: str = "") -> Entry:
    return render(error.status, error.as_envelope(), keys=keys)


def block_payload(row: SiteBlock, data: dict, *, preview: bool) -> dict:
    payload = {"id": row.pk, "name": row.name, "slug": row.slug, "type": row.type, "locale": row.locale}
    if row.type == BlockType.PAGE:
        payload["path"] = row.path
    payload["tags"] = row.tags
    payload["data"] = data
    payload["publishedAt"] = iso_ms(row.published_at)
    working = shows_working_copy(row, preview=preview)  # preview, or an item of the release being previewed
    payload["version"] = row.version if working else row.published_version
    # The template the content follows: the live content's (recorded in the snapshot at publish), or in
    # preview the working copy's. Null when the block owns its schema.
    payload["template"] = row.template_ref if working else (row.published_snapshot or {}).get("template")
    return payload


def _earliest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def _resolution(facts: SiteFacts, preview: bool) -> Resolution:
    return Resolution(site=site_stub(facts), preview=preview, fallbacks=facts.fallbacks)


def _include(
    facts: SiteFacts,
    resolution: Resolution,
    shown: list[tuple[dict, list, int]],
    include: int,
    chain: list[str],
    *,
    preview: bool,
) -> references.Included:
    """Resolve the references of the blocks `shown` (`include` levels along the reader's `chain`;
    `blocks.references`), their media with the answer's (`resolution.show`). No query for `include=0`."""
    if not include:
        return references.Included()
    included = references.include_references(facts.id, shown, include, chain, preview=preview)
    for data, schema, locale in included.shown:
        resolution.show(data, schema, locale)
    return included


def _expiry(resolution: Resolution, *moments: datetime | None) -> datetime | None:
    expires = _earliest(resolution.expires_at, *moments)
    if resolution.custom_sources:  # a custom source's data can change without any event we hear of
        soon = timezone.now() + timedelta(seconds=cms_setting("DELIVERY_MAX_AGE"))
        expires = _earliest(expires, soon)
    return expires


def single_entry(
    row: SiteBlock | None,
    facts: SiteFacts,
    *,
    preview: bool,
    missing: str,
    path: str | None = None,
    extra_meta: dict | None = None,
    expires: datetime | None = None,
    include: int = 0,
    chain: list[str] | None = None,
) -> Entry:
    """One block's answer (or its 404). `path`: asked by page path, whose key the answer carries too (a 404 at
    a path is purged when a page is published there)."""
    if row is None:
        return error_entry(errors.NotFound(missing), keys=cdn.answer_keys(facts.id, path=path))
    schema, data = content_of(row, preview=preview)
    data = copy_json(data)
    resolution = _resolution(facts, preview)
    resolution.add(data, schema, row.locale, row.pk)
    chain = chain or resolution.chain(row.locale)
    included = _include(facts, resolution, [(data, schema, row.pk)], include, chain, preview=preview)
    resolution.run()
    meta: dict[str, object] = {"locale": row.locale, **(extra_meta or {})}
    if preview:
        meta["preview"] = True
    keys = cdn.answer_keys(
        facts.id,
        slug=row.slug,
        locale=row.locale,
        path=path,
        lists=resolution.used_sources,
        assets=resolution.asset_ids,
        included=included.slugs,
    )
    return render(
        200,
        {"data": block_payload(row, data, preview=preview), "meta": meta},
        locale=row.locale,
        expires=_expiry(resolution, row.scheduled_unpublish_at, expires, included.expires_at),
        keys=keys,
    )


def block_entry(facts: SiteFacts, slug: str, chain: list[str], *, preview: bool, include: int = 0) -> Entry:
    """A block's answer: the one rendered at publish (one query, `delivery.rendered`), else rendered now. With
    `include` (references resolved) it is always rendered now: the stored answer leaves references as slugs."""
    if not preview and not include:
        stored = rendered.find(facts.id, "b", slug, chain)
        if stored is not None:
            return stored
    return render_block(facts, slug, chain, preview=preview, include=include)


def render_block(facts: SiteFacts, slug: str, chain: list[str], *, preview: bool, include: int = 0) -> Entry:
    row = selectors.block_by_slug(facts.id, slug, chain, preview=preview)
    if row is None:
        message = f"No published block `{slug}` in locale `{chain[0]}`."
        return error_entry(errors.NotFound(message), keys=cdn.answer_keys(facts.id, slug=slug))
    return single_entry(row, facts, preview=preview, missing="", include=include, chain=chain)


def page_entry(facts: SiteFacts, path: str, chain: list[str], *, preview: bool, include: int = 0) -> Entry:
    """A page's answer by path: the one rendered at publish (one query, `delivery.rendered`), else rendered now
    (always with `include`, as for a block)."""
    if not preview and not include:
        stored = rendered.find(facts.id, "p", digest(path), chain)
        if stored is not None:
            return stored
    return render_page(facts, path, chain, preview=preview, include=include)


def render_page(facts: SiteFacts, path: str, chain: list[str], *, preview: bool, include: int = 0) -> Entry:
    row = selectors.page_by_path(facts.id, path, chain, preview=preview)
    return page_row_entry(facts, row, path, chain, preview=preview, include=include)


def page_row_entry(
    facts: SiteFacts, row: SiteBlock | None, path: str, chain: list[str], *, preview: bool, include: int = 0
) -> Entry:
    """The answer of the page `row` found at `path` (or the 404 when None), with its alternates."""
    alternates: list[dict[str, str]] = []
    expires = None
    if row is not None:
        alternates, expires = selectors.page_alternates(facts.id, row, list(facts.fallbacks), preview=preview)
    return single_entry(
        row,
        facts,
        preview=preview,
        missing=f"No published page at `{path}` in locale `{chain[0]}`.",
        path=path,
        extra_meta={"alternates": alternates},
        expires=expires,
        include=include,
        chain=chain,
    )


def list_entry(
    facts: SiteFacts,
    chain: list[str],
    *,
    preview: bool,
    type: str | None,
    tags: list[str],
    page: int,
    per_page: int,
    query: filters.FieldQuery | None = None,
    cursor: filters.Cursor | None = None,
    include: int = 0,
) -> Entry:
    compiled = None
    if query is not None:
        try:
            compiled = _compile(facts, chain, query, preview=preview)
        except errors.BadRequest as error:  # cached like the answer: a new generation may make it valid
            return error_entry(error, keys=cdn.answer_keys(facts.id, lists=True, slug=query.schema_of))
    sort = filters.field_sort(compiled, query)
    rows, total, expires = selectors.block_page(
        facts.id,
        chain,
        preview=preview,
        type=type,
        tags=tags,
        page=page,
        per_page=per_page,
        fields=compiled,
        sort=sort,
        cursor=cursor,
    )
    resolution = _resolution(facts, preview)
    items = []
    shown = []
    for row in rows:
        schema, data = content_of(row, preview=preview)
        data = copy_json(data)
        resolution.add(data, schema, row.locale, row.pk)
        shown.append((data, schema, row.pk))
        items.append(block_payload(row, data, preview=preview))
    included = _include(facts, resolution, shown, include, chain, preview=preview)
    resolution.run()
    meta: dict[str, object] = {"total": total, "perPage": per_page}
    if cursor is None:
        meta.update({"currentPage": page, "lastPage": max(1, math.ceil(total / per_page))})
    more = len(rows) == per_page and (cursor is not None or (page - 1) * per_page + len(rows) < total)
    last = rows[-1] if rows else None
    meta["nextCursor"] = (
        filters.make_cursor(sort, getattr(last, sort.column), last.pk) if more and last is not None else None
    )
    meta["locale"] = chain[0]
    if preview:
        meta["preview"] = True
    keys = cdn.answer_keys(facts.id, lists=True, assets=resolution.asset_ids, included=included.slugs)
    expiry = _expiry(resolution, expires, included.expires_at)
    return render(200, {"data": items, "meta": meta}, locale=chain[0], expires=expiry, keys=keys)


def _compile(facts: SiteFacts, chain: list[str], query: filters.FieldQuery, *, preview: bool) -> filters.Compiled:
    """The field query typed by the `schemaOf` block's schema (one query), narrowed to blocks that share the
    filtered fields with it (`filters.same_field`)."""
    reference = selectors.block_by_slug(facts.id, query.schema_of, chain, preview=preview)
    if reference is None:
        message = f"No published block `{query.schema_of}` in locale `{chain[0]}` to take the schema from."
        raise errors.BadRequest(message, fields={"schemaOf": message})
    schema, _ = content_of(reference, preview=preview)
    return filters.compile_query(query, schema, preview=preview)


def seconds_left(entry: Entry) -> int | None:
    if entry.expires_at is None:
        return None
    return max(0, int(entry.expires_at - time.time()))

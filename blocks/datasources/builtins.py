"""The built-in sources `blocks` (a list of published blocks) and `block` (one block's data).

Each is a callable `(site, locale, params)` like any registered source, and also answers a whole level of a
read at once (`resolve_many`): `block` in one query for every slug of the level, `blocks` in one query per
distinct parameter set (each spending one unit of the read's budget). Returned blocks go back through the
resolver (`Resolution.follow`) so their own dataSource fields are filled, depth- and cycle-bounded.
"""

from __future__ import annotations

from typing import Any

from blocks.datasources.resolver import Resolution, SourceRequest
from blocks.models import BlockType
from blocks.published import best_in_chain, content_of, readable_blocks
from schema.sources import register_source

MAX_LIMIT = 100
DEFAULT_LIMIT = 10
ORDERS = {
    "name": "name",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "publishedAt": "published_at",
}


class _BuiltinSource:
    def __call__(self, site, locale: str, params: dict) -> Any:
        resolution = Resolution(site=site)
        value = self.resolve_many(resolution, [SourceRequest(dict(params or {}), locale, frozenset())])[0]
        resolution.run()
        return value

    def resolve_many(self, resolution: Resolution, requests: list[SourceRequest]) -> list:
        raise NotImplementedError


class BlockSource(_BuiltinSource):
    """`{"source": "block", "params": {"slug": "promo"}}`: that block's data (locale chain followed), or null."""

    def resolve_many(self, resolution: Resolution, requests: list[SourceRequest]) -> list:
        wanted = [(r, r.params.get("slug")) for r in requests]
        slugs = {slug for _, slug in wanted if isinstance(slug, str) and 0 < len(slug) <= 200}
        if not slugs:
            return [None] * len(requests)
        chains = {r.locale: resolution.chain(r.locale) for r in requests}
        locales = {code for chain in chains.values() for code in chain}
        rows: dict[str, list] = {}
        found = readable_blocks(resolution.site.pk, preview=resolution.preview, now=resolution.now).filter(
            slug__in=slugs, locale__in=locales
        )
        for candidate in found:
            rows.setdefault(candidate.slug, []).append(candidate)
        values: list[dict | None] = []
        for request, slug in wanted:
            row = best_in_chain(rows.get(slug, []), chains[request.locale]) if slug in slugs else None
            if row is None or row.pk in request.ancestors:
                values.append(None)
                continue
            resolution.note_expiry(row.scheduled_unpublish_at)
            schema, data = content_of(row, preview=resolution.preview)
            values.append(resolution.follow(row.pk, schema, data, row.locale, request.ancestors))
        return values


def _blocks_params(params: dict) -> tuple:
    """Parameters normalised (bad values fall back to defaults): `(type, tags, limit, order)`."""
    kind = params.get("type") if params.get("type") in BlockType.values else None
    tags = params.get("tags")
    if isinstance(tags, str):
        tags = [tag.strip() for tag in tags.split(",")]
    tags = tuple(sorted({t for t in tags if isinstance(t, str) and t})) if isinstance(tags, list) else ()
    limit = params.get("limit")
    limit = min(max(limit, 1), MAX_LIMIT) if isinstance(limit, int) and not isinstance(limit, bool) else DEFAULT_LIMIT
    order = params.get("order")
    if not isinstance(order, str) or order.lstrip("-") not in ORDERS:
        order = "name"
    return kind, tags, limit, order


class BlocksSource(_BuiltinSource):
    """`{"source": "blocks", "params": {"type", "tags", "limit", "order"}}`: published blocks of the site in
    the same locale, as `{id, name, slug, type, path, data}`."""

    def resolve_many(self, resolution: Resolution, requests: list[SourceRequest]) -> list:
        groups: dict[tuple, list] = {}
        for request in requests:
            groups.setdefault((request.locale, _blocks_params(request.params)), []).append(request)
        answers: dict[int, Any] = {}
        for (locale, (kind, tags, limit, order)), members in groups.items():
            if not resolution.take_call():
                continue
            rows = readable_blocks(resolution.site.pk, preview=resolution.preview, now=resolution.now).filter(
                locale=locale
            )
            if kind:
                rows = rows.filter(type=kind)
            if tags:
                rows = rows.with_any_tag(list(tags))
            field = ORDERS[order.lstrip("-")]
            prefix = "-" if order.startswith("-") else ""
            found = list(rows.order_by(f"{prefix}{field}", f"{prefix}id")[:limit])
            for row in found:
                resolution.note_expiry(row.scheduled_unpublish_at)
            for request in members:
                items = []
                for row in found:
                    schema, data = content_of(row, preview=resolution.preview)
                    items.append(
                        {
                            "id": row.pk,
                            "name": row.name,
                            "slug": row.slug,
                            "type": row.type,
                            "path": row.path,
                            "data": resolution.follow(row.pk, schema, data, row.locale, request.ancestors),
                        }
                    )
                answers[id(request)] = items
        return [answers.get(id(request)) for request in requests]


published_block = BlockSource()
published_blocks = BlocksSource()


def register_builtin_sources() -> None:
    """Register `blocks` and `block` with the schema engine's source registry (the blocks app, at start-up)."""
    register_source("blocks", published_blocks)
    register_source("block", published_block)

"""References between blocks: string fields with `"reference": "slug"` (alone or as an array's items) name
other blocks of the site, and a delivery read with `include=N` replaces each name by the block it names.

Why level by level: the references of the blocks an answer shows are level 1; the blocks they name have
their own references, resolved at level 2, and so on up to N (at most 3). Every slug of a level is fetched
in ONE query (along every locale chain the level needs), so an answer costs at most N queries however many
references it holds: a list of 50 blocks each naming 10 others is still one query per level.

What a reference becomes:

- the named block, as `{id, name, slug, type, locale, path?, data}`, in the reader's locale with its
  fallbacks (the chain the answer was asked in, even where the block holding the reference fell back);
- `null` when no block of that slug is live in the chain (unpublished, deleted, never existed): the field
  stays in the answer, so a frontend sees a broken link rather than a missing key;
- the plain slug, as stored, past the depth asked, and where the named block is already one of the blocks
  that lead to it (a cycle: A names B names A): the cycle is cut, not followed.

The answer depends on every slug it looked up, found or not (`Included.slugs`): its cache keys carry them, so
a publish, unpublish or delete of exactly those blocks makes it stale (`delivery.cdn.answer_keys`).
An answer resolves at most `MAX_INCLUDED` blocks; references past it stay slugs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q

from blocks.datasources.resolver import copy_json
from blocks.models import BlockType, SiteBlock
from blocks.published import best_in_chain, content_of, readable_blocks

MAX_DEPTH = 3
MAX_INCLUDED = 1000
MAX_SLUG_LENGTH = 200


def _is_reference(spec: Any) -> bool:
    return isinstance(spec, dict) and spec.get("type") == "string" and spec.get("reference") == "slug"


def has_references(schema: Any) -> bool:
    """Whether `schema` declares any reference field (most do not: their reads skip this module)."""
    if not isinstance(schema, list):
        return False
    for spec in schema:
        if not isinstance(spec, dict):
            continue
        if _is_reference(spec):
            return True
        kind = spec.get("type")
        if kind == "object" and has_references(spec.get("fields")):
            return True
        if kind == "array":
            items = spec.get("items")
            if _is_reference(items):
                return True
            if isinstance(items, dict) and items.get("type") == "object" and has_references(items.get("fields")):
                return True
    return False


def reference_slots(schema: Any, data: Any) -> Iterator[tuple[Any, Any, str]]:
    """Every reference value in `data` as `(container, key, slug)`: `container[key]` holds the slug."""
    if not isinstance(schema, list) or not isinstance(data, dict):
        return
    for spec in schema:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            continue
        name, kind = spec["name"], spec.get("type")
        value = data.get(name)
        if _is_reference(spec):
            if isinstance(value, str):
                yield data, name, value
        elif kind == "object":
            yield from reference_slots(spec.get("fields"), value)
        elif kind == "array" and isinstance(value, list):
            items = spec.get("items")
            if _is_reference(items):
                for index, item in enumerate(value):
                    if isinstance(item, str):
                        yield value, index, item
            elif isinstance(items, dict) and items.get("type") == "object":
                for item in value:
                    yield from reference_slots(items.get("fields"), item)


@dataclass
class Included:
    """What resolving references added to an answer: the slugs looked up (found or not), the earliest
    scheduled unpublish among the blocks included, and every included `(data, schema, locale)` (for their
    media references)."""

    slugs: set[str] = field(default_factory=set)
    expires_at: datetime | None = None
    shown: list[tuple[dict, list, str]] = field(default_factory=list)


def target_payload(row: SiteBlock, data: dict) -> dict:
    payload: dict[str, Any] = {"id": row.pk, "name": row.name, "slug": row.slug, "type": row.type, "locale": row.locale}
    if row.type == BlockType.PAGE:
        payload["path"] = row.path
    payload["data"] = data
    return payload


def include_references(
    site_id: int,
    blocks: list[tuple[dict, list, int]],
    depth: int,
    chain: list[str],
    *,
    preview: bool = False,
    now: datetime | None = None,
) -> Included:
    """Replace, in place, the references in each `(data, schema, block id)` (private copies of the answer's
    data) by the blocks they name, `depth` levels deep, each the best along `chain` (the reader's locale and
    its fallbacks, whichever locale served the block holding the reference); one query per level."""
    included = Included()
    level = [(data, schema, frozenset({block_id})) for data, schema, block_id in blocks]
    budget = MAX_INCLUDED
    for _ in range(min(depth, MAX_DEPTH)):
        slots = [
            (container, key, slug, ancestors)
            for data, schema, ancestors in level
            if has_references(schema)
            for container, key, slug in reference_slots(schema, data)
            if 0 < len(slug) <= MAX_SLUG_LENGTH
        ]
        if not slots:
            break
        slugs = {slug for _, _, slug, _ in slots}
        included.slugs |= slugs
        rows: dict[str, list[SiteBlock]] = {}
        where = Q(slug__in=slugs, locale__in=chain)
        for candidate in readable_blocks(site_id, preview=preview, now=now, where=where):
            rows.setdefault(candidate.slug, []).append(candidate)
        following = []
        for container, key, slug, ancestors in slots:
            row = best_in_chain(rows.get(slug, []), chain)
            if row is None:
                container[key] = None
                continue
            if row.pk in ancestors or budget <= 0:  # a cycle, or the answer is large enough: the slug stays
                continue
            budget -= 1
            if row.scheduled_unpublish_at is not None and (
                included.expires_at is None or row.scheduled_unpublish_at < included.expires_at
            ):
                included.expires_at = row.scheduled_unpublish_at
            schema, data = content_of(row, preview=preview)
            data = copy_json(data) if isinstance(data, dict) else {}
            container[key] = target_payload(row, data)
            included.shown.append((data, schema, row.locale))
            following.append((data, schema, ancestors | {row.pk}))
        level = following
    return included

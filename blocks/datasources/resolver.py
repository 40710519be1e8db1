"""Filling `dataSource` fields: level by level, batched per source, bounded in depth, calls and queries.

Why level by level: the fields of the block being read are depth 1; blocks that a source returns (the
built-in `blocks` and `block`) have their own dataSource fields filled at depth 2, and so on up to
`CMS["DATA_SOURCE_MAX_DEPTH"]` (3). All requests of one level are handed to each source together, so the
built-in `block` source answers every slug of a level in one query and `blocks` one query per distinct
parameter set. Custom sources are called once per request, and every call (and every `blocks` query) spends
one unit of `CMS["DATA_SOURCE_MAX_CALLS"]`: past it, values are `null`. So one read costs at most
`depth + max_calls` queries, however large the site or the schema.

Cycles (a page listing itself, A embedding B embedding A) give `null` for the repeated block (`block`) or
leave its dataSource fields `null` (an item of `blocks`), instead of looping.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from blocks.assets import resolve_refs
from cms import jsonbytes
from cms.conf import cms_setting
from locales.selectors import locale_chain
from schema import ANY_ITEM
from schema.sources import get_source

logger = logging.getLogger("cms.datasources")


def datasource_paths(schema: list) -> Iterator[tuple[tuple, str, dict]]:
    """Every dataSource field of `schema` as `(path, source, params)`; `ANY_ITEM` steps into array items."""
    yield from _walk(schema, ())


def _walk(fields: Any, prefix: tuple) -> Iterator[tuple[tuple, str, dict]]:
    if not isinstance(fields, list):
        return
    for spec in fields:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            continue
        kind = spec.get("type")
        path = (*prefix, spec["name"])
        if kind == "dataSource":
            params = spec.get("params")
            yield path, str(spec.get("source")), params if isinstance(params, dict) else {}
        elif kind == "object":
            yield from _walk(spec.get("fields"), path)
        elif kind == "array" and isinstance(spec.get("items"), dict) and spec["items"].get("type") == "object":
            yield from _walk(spec["items"].get("fields"), (*path, ANY_ITEM))


def _parents(node: Any, steps: tuple) -> Iterator[dict]:
    """The dicts that hold the last step of a field path (objects missing from the data are created)."""
    if not steps:
        if isinstance(node, dict):
            yield node
        return
    step, rest = steps[0], steps[1:]
    if step == ANY_ITEM:
        if isinstance(node, list):
            for item in node:
                yield from _parents(item, rest)
        return
    if not isinstance(node, dict):
        return
    child = node.get(step)
    if child is None and (not rest or rest[0] != ANY_ITEM):
        child = node[step] = {}
    yield from _parents(child, rest)


def copy_json(value: Any) -> Any:
    """An independent copy of stored JSON (orjson round trip: several times faster than deepcopy)."""
    return jsonbytes.copy(value)


@dataclass
class SourceRequest:
    """One dataSource field to fill: its parameters, the locale of the block holding it, and where it goes."""

    params: dict
    locale: str
    ancestors: frozenset[int]
    parent: dict | None = None
    key: str | None = None


@dataclass
class Resolution:
    """The state of one read: the site, preview or live, the budget left, and what to fill at each level.

    `fallbacks` (`{code: fallback}`) lets the built-in `block` source follow the locale chain; `expires_at`
    is the earliest scheduled unpublish among the blocks embedded, so a cached answer never outlives them;
    `custom_sources` says whether a source we cannot invalidate took part (cached answers then expire).
    """

    site: Any
    preview: bool = False
    fallbacks: dict | None = None
    max_depth: int = field(default_factory=lambda: cms_setting("DATA_SOURCE_MAX_DEPTH"))
    calls_left: int = field(default_factory=lambda: cms_setting("DATA_SOURCE_MAX_CALLS"))
    now: datetime | None = None
    expires_at: datetime | None = None
    custom_sources: bool = False
    used_sources: bool = False  # any dataSource field was filled: the answer depends on other blocks
    asset_ids: set[int] = field(default_factory=set)  # the media assets the answer shows (its CDN keys)
    depth: int = 1
    _level: list = field(default_factory=list)
    _next: list = field(default_factory=list)
    _shown: list = field(default_factory=list)  # every (data, schema, locale) of the answer, for its assets

    # -- what sources use ------------------------------------------------------------------------------
    def take_call(self) -> bool:
        """Spend one unit of the read's budget; False when it is used up (the value is then `null`)."""
        if self.calls_left <= 0:
            return False
        self.calls_left -= 1
        return True

    def note_expiry(self, when: datetime | None) -> None:
        if when is not None and (self.expires_at is None or when < self.expires_at):
            self.expires_at = when

    def chain(self, locale: str) -> list[str]:
        """`locale`, then its fallbacks, then the site default (what the built-in `block` source tries)."""
        if self.fallbacks is None:
            return [locale]
        return locale_chain(self.site, locale, fallbacks=self.fallbacks) or [locale]

    def follow(self, block_id: int, schema: list, data: dict, locale: str, ancestors: frozenset[int]) -> dict:
        """A copy of a returned block's data, its dataSource fields filled one level deeper (or `null`
        when the block repeats an ancestor, or the depth limit is reached)."""
        data = copy_json(data) if isinstance(data, dict) else {}
        self._shown.append((data, schema, locale))
        if block_id in ancestors or self.depth >= self.max_depth:
            self._fill_null(data, schema)
        else:
            self._next.append((data, schema, locale, ancestors | {block_id}))
        return data

    # -- driving ---------------------------------------------------------------------------------------
    def add(self, data: dict, schema: list, locale: str, block_id: int | None = None) -> None:
        """Queue a top-level block's data (already a private copy) to be filled by `run`."""
        ancestors = frozenset() if block_id is None else frozenset({block_id})
        self._level.append((data, schema, locale, ancestors))
        self._shown.append((data, schema, locale))

    def show(self, data: dict, schema: list, locale: str) -> None:
        """Count more data as shown by the answer (an included reference): `run` resolves its media too."""
        self._shown.append((data, schema, locale))

    def run(self) -> None:
        while self._level:
            by_source: dict[str, list[SourceRequest]] = defaultdict(list)
            for data, schema, locale, ancestors in self._level:
                for path, source, params in datasource_paths(schema):
                    for parent in _parents(data, path[:-1]):
                        by_source[source].append(SourceRequest(params, locale, ancestors, parent, path[-1]))
            self._next = []
            self.used_sources = self.used_sources or bool(by_source)
            for name, requests in by_source.items():
                for request, value in zip(requests, self._values(name, requests), strict=True):
                    assert request.parent is not None and request.key is not None, "made above with its place"
                    request.parent[request.key] = value
            self._level, self._next = self._next, []
            self.depth += 1
        # Media references of every block shown (embedded ones too), in one query (`blocks.assets`).
        self.asset_ids |= resolve_refs(
            self.site, [(schema, data, self._alt_chain(locale)) for data, schema, locale in self._shown]
        )
        self._shown = []

    def _alt_chain(self, locale: str) -> list[str]:
        chain = self.chain(locale)
        default = getattr(self.site, "default_locale", None)
        return chain if default is None or default in chain else [*chain, default]

    def _values(self, name: str, requests: list[SourceRequest]) -> list:
        source = get_source(name)
        if source is None:
            return [None] * len(requests)
        many = getattr(source, "resolve_many", None)
        if many is not None:
            return many(self, requests)
        self.custom_sources = True
        return [self._call_custom(name, source, request) for request in requests]

    def _call_custom(self, name: str, source, request: SourceRequest) -> Any:
        if not self.take_call():
            return None
        try:
            value = source(self.site, request.locale, dict(request.params))
            return orjson.loads(orjson.dumps(value))  # only JSON leaves: a bad source cannot break rendering
        except Exception:  # a failing custom source gives `null`, never a 500 for the whole page
            logger.exception("Data source %s failed", name)
            return None

    def _fill_null(self, data: dict, schema: list) -> None:
        for path, _, _ in datasource_paths(schema):
            for parent in _parents(data, path[:-1]):
                parent[path[-1]] = None


def resolve(site, locale: str, schema: list, data: dict, *, preview: bool = False, block_id: int | None = None) -> dict:
    """A copy of `data` with every dataSource field of `schema` filled (bounded; see the module doc)."""
    filled = copy_json(data) if isinstance(data, dict) else {}
    resolution = Resolution(site=site, preview=preview)
    resolution.add(filled, schema, locale, block_id)
    resolution.run()
    return filled

"""The shapes of the delivery API's answers, as TypedDicts (docs/delivery-api.md; the TypeScript types a site
generates, `GET /api/v1/site-blocks/types.ts`, type each block's `data` field by field)."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict


class Block(TypedDict):
    id: int
    name: str
    slug: str
    type: Literal["global", "page"]
    locale: str
    path: NotRequired[str]  # pages only
    tags: list[str]
    data: dict[str, Any]
    publishedAt: str | None
    version: int


class BlockMeta(TypedDict):
    locale: str  # the locale served: the one asked for, or the first of its fallback chain that has the block
    preview: NotRequired[bool]


class BlockAnswer(TypedDict):
    data: Block
    meta: BlockMeta


class ListMeta(TypedDict):
    total: int
    perPage: int
    currentPage: int
    lastPage: int
    locale: str
    preview: NotRequired[bool]


class ListAnswer(TypedDict):
    data: list[Block]
    meta: ListMeta


class SyncItem(TypedDict):
    op: Literal["upsert", "delete"]
    kind: Literal["block"]
    slug: str
    locale: str
    sequence: int
    block: Block | None  # None for a delete (a tombstone)


class SyncMeta(TypedDict):
    cursor: str
    hasMore: bool


class SyncAnswer(TypedDict):
    data: list[SyncItem]
    meta: SyncMeta

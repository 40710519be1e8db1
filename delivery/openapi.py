"""The delivery API in the OpenAPI document, beside the management API.

The delivery views are plain Django views (no DRF on the hot path), so drf-spectacular cannot see them; their
operations are written out here and merged in by `cms.api.openapi.postprocess`, which also adds the error
answers every operation shares. The fuzz test (tests/api/test_openapi.py) then checks the real answers
against these shapes, so this description cannot drift from what the views send.
"""

from __future__ import annotations

from typing import Any

from cms.api.openapi import ref, register_components, register_paths
from media.renditions import FITS, FORMATS, QUALITIES, RATIOS, WIDTHS

TAG = "delivery"

DELIVERED_BLOCK: dict[str, Any] = {
    "type": "object",
    "description": "A published block as a frontend sees it: the published snapshot, `dataSource` fields resolved.",
    "required": ["id", "name", "slug", "type", "locale", "tags", "data", "publishedAt", "version", "template"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "slug": {"type": "string"},
        "type": {"type": "string", "enum": ["global", "page"]},
        "locale": {"type": "string", "description": "The locale that served it (after fallback)."},
        "path": {"type": "string", "description": "Page blocks only."},
        "tags": {"type": "array", "items": {"type": "string"}},
        "data": {"type": "object"},
        "publishedAt": {"type": "string", "format": "date-time", "nullable": True},
        "version": {
            "type": "integer",
            "nullable": True,
            "description": "The published version (the working copy's version in preview).",
        },
        "template": {
            "type": "object",
            "nullable": True,
            "description": "The template the content follows and its version (null: the block owns its schema).",
            "required": ["slug", "version"],
            "additionalProperties": False,
            "properties": {"slug": {"type": "string"}, "version": {"type": "integer"}},
        },
    },
}
SINGLE_META = {
    "type": "object",
    "required": ["locale"],
    "additionalProperties": False,
    "properties": {"locale": {"type": "string"}, "preview": {"type": "boolean"}},
}
LIST_META: dict[str, Any] = {
    "type": "object",
    "required": ["total", "perPage", "nextCursor", "locale"],
    "additionalProperties": False,
    "properties": {
        "total": {"type": "integer"},
        "perPage": {"type": "integer"},
        "currentPage": {"type": "integer", "description": "Absent when the page was asked by `cursor`."},
        "lastPage": {"type": "integer", "description": "Absent when the page was asked by `cursor`."},
        "nextCursor": {
            "type": "string",
            "nullable": True,
            "description": "The `cursor` of the next page (null on the last one).",
        },
        "locale": {"type": "string"},
        "preview": {"type": "boolean"},
    },
}
PAGE_META = {
    "type": "object",
    "required": ["locale", "alternates"],
    "additionalProperties": False,
    "properties": {
        "locale": {"type": "string"},
        "preview": {"type": "boolean"},
        "alternates": {
            "type": "array",
            "description": "The same page in the site's other locales, each at its own path, for `hreflang` links.",
            "items": {
                "type": "object",
                "required": ["locale", "path"],
                "additionalProperties": False,
                "properties": {"locale": {"type": "string"}, "path": {"type": "string"}},
            },
        },
    },
}
register_components(
    {
        "DeliveredBlock": DELIVERED_BLOCK,
        "DeliveredBlockAnswer": {
            "type": "object",
            "required": ["data", "meta"],
            "additionalProperties": False,
            "properties": {"data": ref("DeliveredBlock"), "meta": SINGLE_META},
        },
        "DeliveredPageAnswer": {
            "type": "object",
            "required": ["data", "meta"],
            "additionalProperties": False,
            "properties": {"data": ref("DeliveredBlock"), "meta": PAGE_META},
        },
        "SyncItem": {
            "type": "object",
            "description": "One change: `upsert` (published or updated: `block` is what the block detail answers "
            "under `data`, in the item's own locale) or `delete` (unpublished or deleted: `block` is null).",
            "required": ["op", "kind", "slug", "locale", "sequence", "block"],
            "additionalProperties": False,
            "properties": {
                "op": {"type": "string", "enum": ["upsert", "delete"]},
                "kind": {"type": "string", "enum": ["block"]},
                "slug": {"type": "string"},
                "locale": {"type": "string"},
                "sequence": {"type": "integer", "description": "The site's change number; items come in its order."},
                # OpenAPI 3.0 has no null type: null is the one value of a nullable enum
                "block": {"oneOf": [ref("DeliveredBlock"), {"nullable": True, "enum": [None]}]},
            },
        },
        "SyncPage": {
            "type": "object",
            "required": ["data", "meta"],
            "additionalProperties": False,
            "properties": {
                "data": {"type": "array", "items": ref("SyncItem")},
                "meta": {
                    "type": "object",
                    "required": ["cursor", "hasMore"],
                    "additionalProperties": False,
                    "properties": {
                        "cursor": {
                            "type": "string",
                            "description": "Opaque: pass it as `cursor` for the next page, or later for what changed.",
                        },
                        "hasMore": {"type": "boolean", "description": "Call again with `cursor` at once."},
                    },
                },
            },
        },
        "DeliveredSearchHit": {
            **DELIVERED_BLOCK,
            "description": "A published block found by a search, as the list shows it, with `search`.",
            "required": [*DELIVERED_BLOCK["required"], "search"],
            "properties": {
                **DELIVERED_BLOCK["properties"],
                "search": {
                    "type": "object",
                    "required": ["rank"],
                    "additionalProperties": False,
                    "properties": {
                        "rank": {"type": "number", "description": "Higher is better (ts_rank; hits on SQLite)."},
                        "snippet": {
                            "type": "string",
                            "description": "With `highlight`: the text around the hits, HTML-escaped, the hits in "
                            "`<mark>`.",
                        },
                    },
                },
            },
        },
        "DeliveredSearchAnswer": {
            "type": "object",
            "required": ["data", "meta"],
            "additionalProperties": False,
            "properties": {
                "data": {"type": "array", "items": ref("DeliveredSearchHit")},
                # A search pages by number only (ranked hits have no stable keyset): no `nextCursor`.
                "meta": {
                    **LIST_META,
                    "required": [*(name for name in LIST_META["required"] if name != "nextCursor"), "query"],
                    "properties": {
                        **{name: rule for name, rule in LIST_META["properties"].items() if name != "nextCursor"},
                        "query": {"type": "string"},
                    },
                },
            },
        },
        "DeliveredBlockList": {
            "type": "object",
            "required": ["data", "meta"],
            "additionalProperties": False,
            "properties": {"data": {"type": "array", "items": ref("DeliveredBlock")}, "meta": LIST_META},
        },
    }
)


def _param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


SITE = _param("site", "path", {"type": "string"}, "The site's slug.", required=True)
LOCALE = _param(
    "locale",
    "query",
    {"type": "string"},
    "The locale wanted (default: the site's); missing blocks fall back along the site's chain (`fr-CA` → `fr` → "
    "default), and `meta.locale` and `Content-Language` say which locale served.",
)
PREVIEW = _param(
    "preview",
    "query",
    {"type": "boolean"},
    "Serve working copies instead of published snapshots; needs a token whose role may read drafts. Never cached.",
)
PREVIEW_TOKEN = _param(
    "previewToken",
    "query",
    {"type": "string", "maxLength": 400},
    "A signed preview token (`cms_preview_…`, from `POST /api/v1/preview-tokens` or the admin's Preview): serves "
    "this site's working copies until it expires. It may be sent as `Authorization: Bearer cms_preview_…` instead.",
)
IF_NONE_MATCH = _param(
    "If-None-Match", "header", {"type": "string"}, "An ETag received before: 304 with no body when unchanged."
)
ANSWER_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Changes whenever the answer's content changes."},
    "Cache-Control": {
        "schema": {"type": "string"},
        "description": "`public, max-age=…, stale-while-revalidate=…` (`private` for private sites, `no-store` "
        "in preview); max-age never outlasts a scheduled unpublish.",
    },
    "Content-Language": {"schema": {"type": "string"}, "description": "The locale that served the answer."},
    "Surrogate-Key": {
        "schema": {"type": "string"},
        "description": "What the answer depends on, space-separated (`cms.s1 cms.s1.b.hero cms.s1.b.hero.en`): "
        "the keys a CDN purges by (docs/delivery-api.md, CDN keys).",
    },
    "Cache-Tag": {"schema": {"type": "string"}, "description": "The same keys, comma-separated (Cloudflare)."},
}
NOT_MODIFIED = {"description": "The `If-None-Match` ETag is current: no body.", "headers": ANSWER_HEADERS}
# Public sites need no token; private sites need a read token (without one of theirs they answer the unknown
# site's 404), and preview a preview token.
SECURITY: list[dict[str, list[str]]] = [{}, {"apiToken": []}]


#: field filters have free-form names (`data.price[lte]`), which OpenAPI parameters cannot express
FILTERS_TEXT = (
    "Field filters: `data.<path>[<op>]=<value>` (with `schemaOf`), `<path>` a field of the schemaOf block, "
    "`.` into objects (`data.cta.label`). Operators: `eq` (the default: `data.kind=a`), `ne`, `in`, `nin` "
    "(comma-separated values), `lt`, `lte`, `gt`, `gte` (number, date, datetime), `exists` (`true`/`false`), "
    "`match` (case-insensitive substring, string and text). Values are typed by the field: a number compares "
    "as a number, dates and datetimes as instants, a boolean is `true`/`false`, a select one of its options. "
    "At most 10 filters, values at most 1000 characters. An unknown field, an operator the type does not "
    "support or a value that does not parse is a 400 whose `fields` names the parameter. "
    'See docs/delivery-api.md "Filtering and ordering".'
)


INCLUDE = _param(
    "include",
    "query",
    {"type": "integer", "minimum": 0, "maximum": 3},
    'Resolve references (string fields with `"reference": "slug"`) this many levels deep, in the answer\'s '
    "locale with fallback: each becomes the named block, `null` when it is not published. Default 0 (slugs as "
    'stored). See docs/delivery-api.md "References".',
)
CURSOR = _param(
    "cursor",
    "query",
    {"type": "string", "maxLength": 1000},
    "The `meta.nextCursor` of the previous page (keyset pagination, instead of `page`): the next rows in the "
    "same order, none skipped or repeated while blocks are published. Send the same filters and `order`.",
)


def _operation(operation_id: str, summary: str, parameters: list[dict], answer: str) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": [TAG],
        "security": SECURITY,
        "parameters": [*parameters, PREVIEW, PREVIEW_TOKEN, IF_NONE_MATCH],
        "responses": {
            "200": {
                "description": "The published content.",
                "headers": ANSWER_HEADERS,
                "content": {"application/json": {"schema": ref(answer)}},
            },
            "304": NOT_MODIFIED,
        },
    }


register_paths(
    {
        "/api/v1/delivery/{site}/blocks/{slug}": {
            "get": _operation(
                "delivery_block",
                "A published block by slug",
                [SITE, _param("slug", "path", {"type": "string"}, "The block's slug.", required=True), LOCALE, INCLUDE],
                "DeliveredBlockAnswer",
            )
        },
        "/api/v1/delivery/{site}/pages": {
            "get": _operation(
                "delivery_page",
                "A published page by path",
                [
                    SITE,
                    _param(
                        "path",
                        "query",
                        {"type": "string"},
                        "The page's URL path in the wanted locale, like `/about` (`/tarifs` in fr).",
                        required=True,
                    ),
                    LOCALE,
                    INCLUDE,
                ],
                "DeliveredPageAnswer",
            )
        },
        "/api/v1/delivery/{site}/blocks": {
            "get": _operation(
                "delivery_blocks",
                "Published blocks, filtered and paginated",
                [
                    SITE,
                    LOCALE,
                    _param("type", "query", {"type": "string", "enum": ["global", "page"]}, "Only this type."),
                    _param("tags", "query", {"type": "string"}, "Comma-separated: blocks carrying any of them."),
                    _param("page", "query", {"type": "integer", "minimum": 1}, "The page, from 1."),
                    _param(
                        "perPage",
                        "query",
                        {"type": "integer", "minimum": 1},
                        "Blocks per page (default 15, at most 100).",
                    ),
                    _param("limit", "query", {"type": "integer", "minimum": 1}, "The same as `perPage` (send one)."),
                    _param(
                        "schemaOf",
                        "query",
                        {"type": "string"},
                        "The slug of a published block whose schema types the field filters and `order`; needed "
                        "by both. Only blocks with the same field (name and type) at the same place are listed.",
                    ),
                    _param(
                        "order",
                        "query",
                        {"type": "string", "pattern": r"^-?data\.[A-Za-z][A-Za-z0-9_.]*$"},
                        "`data.<field>` (ascending) or `-data.<field>` (descending), a number, date or datetime "
                        "field; blocks without a value come last, ties go by id. Default: by name, then id.",
                    ),
                    CURSOR,
                    INCLUDE,
                ],
                "DeliveredBlockList",
            )
            | {"description": FILTERS_TEXT}
        },
        "/api/v1/delivery/{site}/search": {
            "get": {
                "operationId": "delivery_search",
                "summary": "Full-text search of the published blocks, ranked",
                "description": "Searches the string, text and richtext fields (without markup) of the blocks the "
                "list would show in `locale` (each block once, along the fallback chain), with the language rules "
                'of each block\'s locale. See docs/delivery-api.md "Search".',
                "tags": [TAG],
                "security": SECURITY,
                "parameters": [
                    SITE,
                    LOCALE,
                    _param(
                        "q",
                        "query",
                        {"type": "string", "minLength": 1, "maxLength": 256},
                        'The words to find: every word must match (PostgreSQL: stemmed, `"a phrase"`, `or`, '
                        "`-word`). At most 256 characters.",
                        required=True,
                    ),
                    _param("highlight", "query", {"type": "boolean"}, "Add `search.snippet` to each hit."),
                    _param("page", "query", {"type": "integer", "minimum": 1}, "The page, from 1."),
                    _param(
                        "perPage",
                        "query",
                        {"type": "integer", "minimum": 1},
                        "Hits per page (default 15, at most 100).",
                    ),
                    _param("limit", "query", {"type": "integer", "minimum": 1}, "The same as `perPage` (send one)."),
                    IF_NONE_MATCH,
                ],
                "responses": {
                    "200": {
                        "description": "The hits, best first (ties by id).",
                        "headers": ANSWER_HEADERS,
                        "content": {"application/json": {"schema": ref("DeliveredSearchAnswer")}},
                    },
                    "304": NOT_MODIFIED,
                },
            }
        },
        "/api/v1/delivery/{site}/sync": {
            "get": {
                "operationId": "delivery_sync",
                "summary": "Every published block, then only what changed since a cursor (the changes feed)",
                "tags": [TAG],
                "security": SECURITY,
                "parameters": [
                    SITE,
                    _param(
                        "cursor",
                        "query",
                        {"type": "string"},
                        "`meta.cursor` of an earlier answer; without it a full sync starts (every published block "
                        "of every locale, no tombstones).",
                    ),
                    _param(
                        "limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}, "Items per page (100)."
                    ),
                ],
                "responses": {
                    "200": {
                        "description": "A page of changes in sequence order. Never cached (`no-store`).",
                        "content": {"application/json": {"schema": ref("SyncPage")}},
                    },
                    "410": {
                        "description": "`sync_cursor_expired`: the cursor is older than the tombstones kept "
                        "(`CMS_SYNC_TOMBSTONE_DAYS`) or is not this site's; do a full sync.",
                        "content": {"application/json": {"schema": ref("ErrorEnvelope")}},
                    },
                },
            }
        },
        "/api/v1/delivery/{site}/assets/{asset_id}/rendition": {
            "get": {
                "operationId": "delivery_rendition",
                "summary": "An image asset resized and converted (a redirect to the file)",
                "tags": [TAG],
                "security": SECURITY,
                "parameters": [
                    SITE,
                    _param("asset_id", "path", {"type": "string"}, "The asset's id.", required=True),
                    _param("w", "query", {"type": "integer", "enum": list(WIDTHS)}, "The width in pixels.", True),
                    _param("fmt", "query", {"type": "string", "enum": list(FORMATS)}, "The format (webp by default)."),
                    _param(
                        "ar",
                        "query",
                        {"type": "string", "enum": list(RATIOS)},
                        "Crop to this aspect ratio around the asset's focal point (its centre without one).",
                    ),
                    _param(
                        "fit",
                        "query",
                        {"type": "string", "enum": list(FITS)},
                        "With ar: cover (default) crops to it; contain fits the whole image in a box of that shape.",
                    ),
                    _param(
                        "q",
                        "query",
                        {"type": "integer", "enum": list(QUALITIES)},
                        "Quality of webp, avif and jpeg (each has its own default); not for png.",
                    ),
                ],
                "responses": {
                    "302": {
                        "description": "The rendition's file, made on the first request and kept.",
                        "headers": {"Location": {"schema": {"type": "string"}, "description": "The file's URL."}},
                    }
                },
            }
        },
    }
)

"""OpenAPI descriptions of the site-block endpoints: bodies, answers and parameters, as the views produce them.

The views build their JSON with plain functions (`blocks.api.serializers`), so their shapes are written here
once as JSON Schema and attached with `extend_schema(**DOCS[...])`. Errors, rate-limit headers and the token
scheme are added to every operation by `cms.api.openapi.postprocess`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from cms.api.openapi import IF_MATCH, LOCALE, SITE, body, data_of, operation, query, ref, register_components

TIMESTAMP = {"type": "string", "format": "date-time", "example": "2025-01-05T09:00:00.000Z"}
NULLABLE_TIMESTAMP = {**TIMESTAMP, "nullable": True}
FIELD = {
    "type": "object",
    "description": "A field of the block's schema (see FIELDS.md): `name`, `type` and that type's options.",
    "required": ["name", "type"],
    "properties": {"name": {"type": "string"}, "type": {"type": "string"}, "label": {"type": "string"}},
    "additionalProperties": True,
}
BLOCK_SUMMARY_PROPERTIES = {
    "id": {"type": "integer"},
    "name": {"type": "string"},
    "slug": {"type": "string"},
    "type": {"type": "string", "enum": ["global", "page"]},
    "status": {"type": "string", "enum": ["draft", "published"]},
    "locale": {"type": "string"},
    "path": {"type": "string", "description": "Page blocks only."},
    "tags": {"type": "array", "items": {"type": "string"}},
    "hasUnpublishedChanges": {"type": "boolean"},
    "publishedAt": NULLABLE_TIMESTAMP,
    "scheduledPublishAt": NULLABLE_TIMESTAMP,
    "scheduledUnpublishAt": NULLABLE_TIMESTAMP,
    "version": {"type": "integer"},
    "createdAt": TIMESTAMP,
    "updatedAt": TIMESTAMP,
}
SUMMARY_REQUIRED = ["id", "name", "slug", "type", "status", "locale", "tags", "version", "createdAt", "updatedAt"]
PAGE_META = {
    "type": "object",
    "required": ["total", "perPage", "currentPage", "lastPage"],
    "properties": {name: {"type": "integer"} for name in ("total", "perPage", "currentPage", "lastPage")},
}
CHANGE = {
    "type": "object",
    "required": ["field"],
    "properties": {"field": {"type": "string", "example": "data.tagline"}, "from": {}, "to": {}},
}
REVISION = {
    "type": "object",
    "required": ["id", "siteBlockId", "changes", "createdAt", "author"],
    "properties": {
        "id": {"type": "integer"},
        "siteBlockId": {"type": "integer"},
        "number": {"type": "integer"},
        "changes": {"type": "array", "items": ref("Change")},
        "createdAt": TIMESTAMP,
        "author": {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "fullName": {"type": "string"}},
        },
        "comment": {"type": "string", "nullable": True},
    },
}

COMPONENTS: dict[str, dict] = {
    "Field": FIELD,
    "BlockSummary": {"type": "object", "required": SUMMARY_REQUIRED, "properties": BLOCK_SUMMARY_PROPERTIES},
    "Block": {
        "type": "object",
        "required": [*SUMMARY_REQUIRED, "schema", "data"],
        "properties": {
            **BLOCK_SUMMARY_PROPERTIES,
            "schema": {"type": "array", "items": ref("Field")},
            "data": {"type": "object", "description": "The working copy (drafts included)."},
        },
    },
    "BlockMeta": {
        "type": "object",
        "required": ["orphanedFields", "version"],
        "properties": {
            "orphanedFields": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Keys of `data` no field of the schema describes any more.",
            },
            "version": {"type": "integer"},
        },
    },
    "BlockAnswer": {
        "type": "object",
        "required": ["data", "meta"],
        "properties": {"data": ref("Block"), "meta": ref("BlockMeta")},
    },
    "BlockList": {
        "type": "object",
        "required": ["data", "meta"],
        "properties": {"data": {"type": "array", "items": ref("BlockSummary")}, "meta": ref("PageMeta")},
    },
    "PageMeta": PAGE_META,
    "Change": CHANGE,
    "Revision": REVISION,
}


def block_answer(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ref("BlockAnswer"), description=description)


PUBLISH_FLAG = query("publish", bool, "Publish in the same transaction.")
SCHEMA_LIST = {"type": "array", "items": ref("Field")}
TAGS = {"type": "array", "items": {"type": "string"}}

DOCS: dict[str, dict] = {
    "list": {
        "summary": "List site blocks",
        "description": "Blocks of the token's site in one locale, without `schema` and `data`.",
        "parameters": [
            query("type", str, "`global` or `page`.", enum=["global", "page"]),
            query("status", str, "`draft` or `published`.", enum=["draft", "published"]),
            query("tags", str, "Comma list; blocks with any of them."),
            query("search", str, "In name, slug and path."),
            query(
                "ordering",
                str,
                "Sort key, `-` for descending.",
                enum=["name", "-name", "updatedAt", "-updatedAt", "createdAt", "-createdAt"],
            ),
            query("page", int, "1-based page; past the end answers an empty list."),
            query("perPage", int, "Page size, 15 by default, at most 100."),
            LOCALE,
            SITE,
        ],
        "responses": {200: OpenApiResponse(response=ref("BlockList"), description="A page of blocks.")},
    },
    "create": {
        "summary": "Create a site block",
        "description": "Slug from the name (`About Page` → `about-page`, `-2` on collision); `path` for pages.",
        "parameters": [LOCALE, SITE],
        "request": body(
            {
                "name": {"type": "string"},
                "type": {"type": "string", "enum": ["global", "page"]},
                "schema": SCHEMA_LIST,
                "data": {"type": "object"},
                "path": {"type": "string", "example": "/about"},
                "slug": {"type": "string"},
                "tags": TAGS,
                "locale": {"type": "string"},
            },
            ["name", "type"],
        ),
        "responses": {201: block_answer("The new draft block.")},
    },
    "get": {
        "summary": "Get a site block",
        "parameters": [LOCALE, SITE],
        "responses": {200: block_answer("The block, with its working copy.")},
    },
    "patch": {
        "summary": "Rename, retag or move a site block",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "request": body({"name": {"type": "string"}, "tags": TAGS, "path": {"type": "string"}}),
        "responses": {200: block_answer("The updated block.")},
    },
    "delete": {
        "summary": "Delete a site block",
        "description": "Deletes that locale's block and its revisions.",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "responses": {
            200: OpenApiResponse(
                response={
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string", "enum": ["Block deleted"]}},
                },
                description="Deleted.",
            )
        },
    },
    "schema": {
        "summary": "Replace a block's schema",
        "description": "Also replaces the schema of the block's other locale copies; data is kept.",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "request": body({"schema": SCHEMA_LIST}, ["schema"]),
        "responses": {200: block_answer("The block with its new schema.")},
    },
    "data": {
        "summary": "Update a block's data",
        "description": "A partial merge into the working copy, validated against the schema.",
        "parameters": [LOCALE, SITE, IF_MATCH, PUBLISH_FLAG],
        "request": body({"data": {"type": "object"}}, ["data"]),
        "responses": {200: block_answer("The block with its merged data.")},
    },
    "publish": {
        "summary": "Publish a block",
        "description": "Full validation, `required` included: 422 names each missing field.",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "responses": {200: block_answer("The published block.")},
    },
    "unpublish": {
        "summary": "Unpublish a block",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "responses": {200: block_answer("The block, back to draft.")},
    },
    "json-schema": {
        "summary": "The block's data as JSON Schema",
        "parameters": [LOCALE, SITE],
        "responses": {200: OpenApiResponse(response=data_of({"type": "object"}), description="A JSON Schema.")},
    },
    "translations": {
        "summary": "Translation status per locale",
        "parameters": [LOCALE, SITE],
        "responses": {
            200: OpenApiResponse(
                response=data_of(
                    {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["status", "translatedFields", "totalFields", "outdated"],
                            "properties": {
                                "status": {"type": "string", "enum": ["complete", "partial", "missing"]},
                                "translatedFields": {"type": "integer"},
                                "totalFields": {"type": "integer"},
                                "outdated": {"type": "boolean"},
                            },
                        },
                    }
                ),
                description="`{locale: status}` for every locale the site enables.",
            )
        },
    },
    "copy-to-locale": {
        "summary": "Copy a block to another locale",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "request": body({"locale": {"type": "string"}, "overwrite": {"type": "boolean"}}, ["locale"]),
        "responses": {200: block_answer("The new draft copy.")},
    },
    "sync-shared-fields": {
        "summary": "Copy non-localized fields to the other locales",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "request": body({"locales": {"type": "array", "items": {"type": "string"}}}),
        "responses": {
            200: OpenApiResponse(
                response=data_of(
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "locale": {"type": "string"},
                                "version": {"type": "integer"},
                                "changedFields": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    }
                ),
                description="Each copy updated.",
            )
        },
    },
    "schedule": {
        "summary": "Schedule publishing and unpublishing",
        "description": "UTC instants (`publishAt`) or wall-clock times in the site's time zone (`publishAtLocal`).",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "request": body(
            {
                "publishAt": {**NULLABLE_TIMESTAMP},
                "unpublishAt": {**NULLABLE_TIMESTAMP},
                "publishAtLocal": {"type": "string", "nullable": True, "example": "2025-01-05T10:00"},
                "unpublishAtLocal": {"type": "string", "nullable": True, "example": "2025-01-06T10:00"},
            }
        ),
        "responses": {200: block_answer("The block; `scheduledPublishAt`/`scheduledUnpublishAt` show the result.")},
    },
    "unschedule": {
        "summary": "Cancel scheduled publishing and unpublishing",
        "parameters": [LOCALE, SITE, IF_MATCH],
        "responses": {200: block_answer("The block, with nothing scheduled.")},
    },
    "revisions": {
        "summary": "A block's revisions, newest first",
        "parameters": [LOCALE, SITE, query("page", int), query("perPage", int)],
        "responses": {
            200: OpenApiResponse(
                response=data_of({"type": "array", "items": ref("Revision")}, meta=ref("PageMeta")),
                description="A page of revisions.",
            )
        },
    },
    "revision": {
        "summary": "One revision with its full schema, data and status",
        "parameters": [LOCALE, SITE],
        "responses": {
            200: OpenApiResponse(
                response=data_of(
                    {
                        "allOf": [
                            ref("Revision"),
                            {
                                "type": "object",
                                "required": ["schema", "data", "status"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "status": {"type": "string"},
                                    "tags": TAGS,
                                    "path": {"type": "string"},
                                    "schema": SCHEMA_LIST,
                                    "data": {"type": "object"},
                                },
                            },
                        ]
                    }
                ),
                description="The revision.",
            )
        },
    },
    "compare": {
        "summary": "Compare two revisions",
        "parameters": [
            LOCALE,
            SITE,
            query("from", int, "A revision id of this block.", required=True),
            query("to", int, "A revision id of this block.", required=True),
        ],
        "responses": {
            200: OpenApiResponse(
                response=data_of(
                    {
                        "type": "object",
                        "required": ["from", "to", "changes"],
                        "properties": {
                            "from": ref("Revision"),
                            "to": ref("Revision"),
                            "changes": {"type": "array", "items": ref("Change")},
                        },
                    }
                ),
                description="Full changes from one to the other.",
            )
        },
    },
    "restore": {
        "summary": "Restore a revision",
        "description": "The working copy's schema and data back to that revision, recorded as a new revision.",
        "parameters": [LOCALE, SITE, IF_MATCH, PUBLISH_FLAG],
        "responses": {200: block_answer("The restored block; `meta` also says what was restored.")},
    },
}


register_components(COMPONENTS, with_etag=("BlockAnswer",))


def document(key: str):
    """The OpenAPI description of one operation of DOCS, with a stable operationId (`site-blocks.publish`)."""
    docs = dict(DOCS[key])
    return operation(f"site-blocks.{key}", tag="site-blocks", request=docs.pop("request", None), **docs)

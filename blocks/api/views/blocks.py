"""Views of the site-block endpoints: list, create, get, patch, delete, schema, data, publish, unpublish.

Each view authenticates (the base class), checks query parameters, reads the body, calls one service or
selector and renders. Single-block answers carry the `ETag`; writes honour `If-Match`.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api import SiteAPIView
from accounts.permissions import Actor
from blocks import datasources, fieldquery, selectors, services
from blocks.api import inputs
from blocks.api.filters import ORDERING_FIELDS, FieldListQuery, SiteBlockFilter
from blocks.api.serializers import (
    BlockAnswer,
    BlockDetailAnswer,
    BlockList,
    SchemaChangeAnswer,
    block_meta,
    block_payload,
)
from blocks.assets import with_resolved_refs
from blocks.models import BlockStatus, BlockType, SiteBlock
from cms import errors
from cms.api.openapi import PageQuery, envelope, message_answer
from cms.api.pagination import PageMetaPagination
from cms.api.preconditions import expected_version
from cms.api.serializers import parse_body
from cms.api.views import allow_params, flag_param
from schema import compiled_for

LIST_PARAMS = {
    "type",
    "status",
    "tags",
    "search",
    "ordering",
    "page",
    "perPage",
    "translations",
    "schemaOf",
    "order",
    "cursor",
}


class BlockListQuery(PageQuery):
    """The query of `GET /site-blocks`, for the document; `SiteBlockFilter` reads it."""

    type = serializers.ChoiceField(choices=BlockType.choices, required=False)
    status = serializers.ChoiceField(choices=BlockStatus.choices, required=False)
    tags = serializers.CharField(required=False, help_text="Comma list; blocks with any of them.")
    search = serializers.CharField(required=False, help_text="In name, slug and path.")
    ordering = serializers.ChoiceField(
        choices=[key for name in ORDERING_FIELDS for key in (name, f"-{name}")],
        required=False,
        help_text="Sort key, `-` for descending.",
    )
    translations = serializers.BooleanField(required=False, help_text="Each row's state in every locale.")
    schemaOf = serializers.CharField(
        required=False,
        max_length=200,
        help_text="The slug of a block (in the list's locale) whose working schema types the field filters "
        "(`data.<path>[<op>]=<value>`) and `order`; needed by both.",
    )
    order = serializers.RegexField(
        r"^-?data\.[A-Za-z][A-Za-z0-9_.]*$",
        required=False,
        help_text="`data.<field>` or `-data.<field>` (number, date or datetime; missing values last, ties by id). "
        "Not with `ordering`.",
    )
    cursor = serializers.CharField(
        required=False,
        max_length=1000,
        help_text="`meta.nextCursor` of the previous page (keyset pagination, instead of `page`).",
    )


def block_answer(description: str, status: int = 200) -> dict:
    return {status: OpenApiResponse(BlockAnswer, description=description)}


Deleted = message_answer("BlockDeleted", "Block deleted")
JsonSchemaAnswer = envelope("JsonSchemaAnswer", serializers.DictField(help_text="A JSON Schema."))


def block_response(block: SiteBlock, *, status: int = 200, data: dict | None = None) -> Response:
    """The block's answer; `data` when given was resolved already (`resolved_working_data`), else the working
    copy is shown with its media references resolved (`blocks.assets`)."""
    if data is None:
        data = with_resolved_refs(block)
    return Response(
        {"data": block_payload(block, data=data), "meta": block_meta(block)},
        status=status,
        headers={"ETag": block.etag},
    )


def resolved_working_data(block: SiteBlock) -> dict | None:
    """The working copy's data with its `dataSource` fields filled (docs/fields.md "dataSource": GET resolves
    them), or None when the schema has none, so the common read neither copies the data nor queries.

    Sources list *published* blocks (docs/fields.md "dataSource"), as the delivery API does: an editor sees
    what the block will show once published, whatever drafts exist."""
    if not any(True for _ in datasources.datasource_paths(block.schema or [])):
        return None
    return datasources.resolve(block.site, block.locale, block.schema, block.data, block_id=block.pk)


class BlockWriteMixin:
    """Resolve the addressed block and the `If-Match` expectation for a write."""

    honours_if_match = True
    actor: Actor  # set by `SiteAPIView.initial`, which every view using this mixin derives from

    def block_for_write(self, request, slug: str) -> tuple[SiteBlock, int | None]:
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        return block, expected_version(request, current_etag=block.etag, current_version=block.version)


class BlockView(SiteAPIView):
    """A view of the site-block endpoints: one locale copy addressed with `?locale=`."""

    openapi_tag = "site-blocks"
    locale_addressed = True


class BlockCollectionView(BlockView):
    @extend_schema(
        operation_id="site-blocks.list",
        parameters=[BlockListQuery],
        responses={200: OpenApiResponse(BlockList, description="A page of blocks.")},
    )
    def get(self, request):
        """List site blocks

        Blocks of the token's site in one locale, without `schema` and `data`. Field filters on the working
        copies: `data.<path>[<op>]=<value>` with `schemaOf` (operators eq, ne, in, nin, lt, lte, gt, gte,
        exists, match, as on the delivery list); `meta.nextCursor` continues by keyset as `cursor=`."""
        params = request.query_params
        allow_params(request, LIST_PARAMS | {name for name in params if name.startswith("data.")})
        fields = FieldListQuery.parse(params)
        filterset = SiteBlockFilter(
            request.query_params,
            queryset=selectors.blocks_for_list(self.actor),
            default_locale=self.actor.site.default_locale,
        )
        if not filterset.is_valid():
            fields = {name: " ".join(messages) for name, messages in filterset.errors.items()}
            raise errors.BadRequest("Invalid query parameters.", fields=fields)
        pagination = PageMetaPagination(request)
        schema = None
        if fields.query is not None:
            locale = params.get("locale") or self.actor.site.default_locale
            schema = selectors.working_schema(self.actor, fields.query.schema_of, locale)
        rows_query, sort, order = fields.apply(filterset.qs, schema)
        rows, meta = fieldquery.keyset_page(
            rows_query, sort, order, fields.cursor, pagination.page, pagination.per_page
        )
        payloads = [block_payload(block, content=False) for block in rows]
        if flag_param(request, "translations"):  # `?translations=true`: each row's state in every locale
            marks = selectors.translation_marks(rows, site=self.actor.site)
            for block, payload in zip(rows, payloads, strict=True):
                payload["translations"] = marks.get(block.pk, {})
        return pagination.response(payloads, meta)

    @extend_schema(
        operation_id="site-blocks.create",
        request=inputs.BlockCreateInput,
        responses=block_answer("The new draft block.", 201),
    )
    def post(self, request):
        """Create a site block

        Slug from the name (`About Page` → `about-page`, `-2` on collision); `path` for pages."""
        allow_params(request)
        context = {"actor": self.actor, "locale": request.query_params.get("locale")}
        values = parse_body(inputs.BlockCreateInput(context=context), request)
        block = services.block_create(actor=self.actor, **values)
        return block_response(block, status=201)


class BlockDetailView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.get",
        parameters=[inputs.CompletionQuery],
        responses={200: OpenApiResponse(BlockDetailAnswer, description="The block, with its working copy.")},
    )
    def get(self, request, slug: str):
        """Get a site block

        With `meta.completion`: how much of the working copy is filled in (required and overall percentages,
        missing fields with their labels, empty values); `?completionLocales=true` adds every locale copy's."""
        allow_params(request, {"completionLocales"})
        every_locale = flag_param(request, "completionLocales")
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        response = block_response(block, data=resolved_working_data(block))
        response.data["meta"]["completion"] = selectors.block_completion(block, every_locale=every_locale)
        return response

    @extend_schema(
        operation_id="site-blocks.patch", request=inputs.BlockMetaInput, responses=block_answer("The updated block.")
    )
    def patch(self, request, slug: str):
        """Rename, retag or move a site block"""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        serializer = inputs.BlockMetaInput(context={"actor": self.actor, "block": block})
        changes = parse_body(serializer, request, current=block_payload(block, content=False))
        block = services.block_update_meta(
            actor=self.actor, block=block, expected_version=expected, changes=cast(services.BlockMeta, changes)
        )
        return block_response(block)

    @extend_schema(operation_id="site-blocks.delete", responses={200: OpenApiResponse(Deleted, description="Deleted.")})
    def delete(self, request, slug: str):
        """Delete a site block

        Deletes that locale's block and its revisions."""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        services.block_delete(actor=self.actor, block=block, expected_version=expected)
        return Response({"message": "Block deleted"})


class BlockSchemaView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.schema",
        parameters=[inputs.DryRunQuery],
        request=inputs.BlockSchemaInput,
        responses={200: OpenApiResponse(SchemaChangeAnswer, description="The block with its new schema.")},
    )
    def put(self, request, slug: str):
        """Replace a block's schema

        Also replaces the schema of the block's other locale copies. Fields are matched by `id`: renamed and
        moved fields keep their values, type changes convert them, what cannot follow is kept as an orphan;
        `meta.schemaChange` says what happened to each value. `?dryRun=true` answers the same report and
        writes nothing."""
        allow_params(request, {"dryRun"})
        dry_run = flag_param(request, "dryRun")
        block, expected = self.block_for_write(request, slug)
        serializer = inputs.BlockSchemaInput(context={"actor": self.actor, "block": block})
        body = parse_body(serializer, request, current=block_payload(block, content=False))
        block, report = services.block_replace_schema(
            actor=self.actor, block=block, schema=body["schema"], expected_version=expected, dry_run=dry_run
        )
        response = block_response(block)
        response.data["meta"]["schemaChange"] = report
        return response


class BlockDataView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.data",
        parameters=[inputs.PublishQuery],
        request=inputs.BlockDataInput,
        responses=block_answer("The block with its merged data."),
    )
    def put(self, request, slug: str):
        """Update a block's data

        A partial merge into the working copy, validated against the schema."""
        allow_params(request, {"publish"})
        publish = flag_param(request, "publish")
        block, expected = self.block_for_write(request, slug)
        serializer = inputs.BlockDataInput(context={"actor": self.actor, "block": block, "publish": publish})
        body = parse_body(serializer, request, current=block_payload(block, content=False))
        block = services.block_update_data(
            actor=self.actor, block=block, data=body["data"], expected_version=expected, publish=publish
        )
        return block_response(block)


class BlockPublishView(BlockWriteMixin, BlockView):
    @extend_schema(operation_id="site-blocks.publish", responses=block_answer("The published block."))
    def post(self, request, slug: str):
        """Publish a block

        Full validation, `required` included: 422 names each missing field."""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        return block_response(services.block_publish(actor=self.actor, block=block, expected_version=expected))


class BlockUnpublishView(BlockWriteMixin, BlockView):
    @extend_schema(operation_id="site-blocks.unpublish", responses=block_answer("The block, back to draft."))
    def post(self, request, slug: str):
        """Unpublish a block"""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        return block_response(services.block_unpublish(actor=self.actor, block=block, expected_version=expected))


class BlockJsonSchemaView(BlockView):
    @extend_schema(
        operation_id="site-blocks.json-schema",
        responses={200: OpenApiResponse(JsonSchemaAnswer, description="A JSON Schema.")},
    )
    def get(self, request, slug: str):
        """The block's data as JSON Schema"""
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        return Response({"data": compiled_for(block.schema).json_schema}, headers={"ETag": block.etag})


class BlockTypesView(BlockView):
    """`GET /site-blocks/types.ts`: the TypeScript types of the site's delivery answers (blocks.typescript)."""

    locale_addressed = False

    @extend_schema(
        operation_id="site-blocks.types-ts",
        responses={
            (200, "application/typescript"): OpenApiResponse(
                str, description="A TypeScript module: one interface per block, the envelopes, `BlockTypes`."
            )
        },
    )
    def get(self, request):
        """TypeScript types of the site's delivery answers

        Deterministic text (docs/frontends.md), to commit beside a frontend and diff after schema changes."""
        allow_params(request)
        text = selectors.types_module(self.actor)
        return HttpResponse(text.encode(), content_type="application/typescript; charset=utf-8")

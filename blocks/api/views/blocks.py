"""Views of the site-block endpoints: list, create, get, patch, delete, schema, data, publish, unpublish.

Each view authenticates (the base class), checks query parameters, reads the body, calls one service or
selector and renders. Single-block answers carry the `ETag`; writes honour `If-Match`.
"""

from __future__ import annotations

from rest_framework.response import Response

from accounts.permissions import Actor
from blocks import datasources, selectors, services
from blocks.api.filters import SiteBlockFilter
from blocks.api.openapi import document
from blocks.api.serializers import block_meta, block_payload, read_body
from blocks.models import SiteBlock
from cms import errors
from cms.api.pagination import PageMetaPagination
from cms.api.views import SiteAPIView, allow_params, check_if_match, expected_version_from, flag_param
from schema import compiled_for

LIST_PARAMS = {"type", "status", "tags", "search", "ordering", "page", "perPage", "translations"}
CREATE_KEYS = {"name", "type", "schema", "data", "path", "slug", "tags", "locale"}


def block_response(block: SiteBlock, *, status: int = 200, data: dict | None = None) -> Response:
    return Response(
        {"data": block_payload(block, data=data), "meta": block_meta(block)},
        status=status,
        headers={"ETag": block.etag},
    )


def resolved_working_data(block: SiteBlock) -> dict | None:
    """The working copy's data with its `dataSource` fields filled (API.md: GET resolves them), or None
    when the schema has none, so the common read neither copies the data nor queries.

    Sources list *published* blocks (FIELDS.md "Data sources"), as the delivery API does: an editor sees
    what the block will show once published, whatever drafts exist."""
    if not any(True for _ in datasources.datasource_paths(block.schema or [])):
        return None
    return datasources.resolve(block.site, block.locale, block.schema, block.data, block_id=block.pk)


class BlockWriteMixin:
    """Resolve the addressed block and the `If-Match` expectation for a write."""

    actor: Actor  # set by `SiteAPIView.initial`, which every view using this mixin derives from

    def block_for_write(self, request, slug: str) -> tuple[SiteBlock, int | None]:
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        check_if_match(request, block.etag)
        return block, expected_version_from(request)


class BlockCollectionView(SiteAPIView):
    @document("list")
    def get(self, request):
        allow_params(request, LIST_PARAMS)
        filterset = SiteBlockFilter(
            request.query_params,
            queryset=selectors.blocks_for_list(self.actor),
            default_locale=self.actor.site.default_locale,
        )
        if not filterset.is_valid():
            fields = {name: " ".join(messages) for name, messages in filterset.errors.items()}
            raise errors.BadRequest("Invalid query parameters.", fields=fields)
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(filterset.qs)
        payloads = [block_payload(block, content=False) for block in rows]
        if flag_param(request, "translations"):  # `?translations=true`: each row's state in every locale
            marks = selectors.translation_marks(rows, site=self.actor.site)
            for block, payload in zip(rows, payloads, strict=True):
                payload["translations"] = marks.get(block.pk, {})
        return pagination.response(payloads, meta)

    @document("create")
    def post(self, request):
        allow_params(request)
        body = read_body(request, allowed=CREATE_KEYS)
        locale = body.pop("locale", None) or request.query_params.get("locale")
        if locale is not None and not isinstance(locale, str):
            raise errors.ValidationFailed(fields={"locale": "Must be a locale code such as `en`."})
        block = services.block_create(actor=self.actor, locale=locale, **{"name": None, "type": None, **body})
        return block_response(block, status=201)


class BlockDetailView(BlockWriteMixin, SiteAPIView):
    @document("get")
    def get(self, request, slug: str):
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        return block_response(block, data=resolved_working_data(block))

    @document("patch")
    def patch(self, request, slug: str):
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        changes = read_body(request, allowed={"name", "tags", "path"}, current=block)
        for key in ("schema", "data"):
            if key in request.data:
                raise errors.ValidationFailed(fields={key: f"Use PUT /site-blocks/{{slug}}/{key} to change it."})
        block = services.block_update_meta(actor=self.actor, block=block, expected_version=expected, changes=changes)
        return block_response(block)

    @document("delete")
    def delete(self, request, slug: str):
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        services.block_delete(actor=self.actor, block=block, expected_version=expected)
        return Response({"message": "Block deleted"})


class BlockSchemaView(BlockWriteMixin, SiteAPIView):
    @document("schema")
    def put(self, request, slug: str):
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        body = read_body(request, allowed={"schema"}, current=block, required=("schema",))
        block = services.block_replace_schema(
            actor=self.actor, block=block, schema=body["schema"], expected_version=expected
        )
        return block_response(block)


class BlockDataView(BlockWriteMixin, SiteAPIView):
    @document("data")
    def put(self, request, slug: str):
        allow_params(request, {"publish"})
        publish = flag_param(request, "publish")
        block, expected = self.block_for_write(request, slug)
        body = read_body(request, allowed={"data"}, current=block, required=("data",))
        block = services.block_update_data(
            actor=self.actor, block=block, data=body["data"], expected_version=expected, publish=publish
        )
        return block_response(block)


class BlockPublishView(BlockWriteMixin, SiteAPIView):
    @document("publish")
    def post(self, request, slug: str):
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        return block_response(services.block_publish(actor=self.actor, block=block, expected_version=expected))


class BlockUnpublishView(BlockWriteMixin, SiteAPIView):
    @document("unpublish")
    def post(self, request, slug: str):
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        return block_response(services.block_unpublish(actor=self.actor, block=block, expected_version=expected))


class BlockJsonSchemaView(SiteAPIView):
    @document("json-schema")
    def get(self, request, slug: str):
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        return Response({"data": compiled_for(block.schema).json_schema}, headers={"ETag": block.etag})

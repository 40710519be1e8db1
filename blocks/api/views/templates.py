"""Views of the template endpoints (`/templates`, docs/templates.md) and of detaching a block from its template.

A template's writes honour `If-Match` with its ETag (`"<id>-<version>"`), like a block's. A write that changes
the schema answers `meta.templateChange`: per block and locale, what happened to each value (`?dryRun=true`:
what would happen; nothing is written).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.api import SiteAPIView
from blocks import selectors
from blocks.api import inputs
from blocks.api.serializers import (
    TemplateAnswer,
    TemplateChangeAnswer,
    TemplateList,
    template_payload,
)
from blocks.api.views.blocks import BlockView, BlockWriteMixin, block_answer, block_response
from blocks.models import SiteBlock
from blocks.services.templates import block_detach_template, template_delete, template_update
from blueprints.models import BlockTemplate
from blueprints.services import template_create
from cms.api.openapi import PageQuery, message_answer
from cms.api.pagination import PageMetaPagination
from cms.api.preconditions import expected_version
from cms.api.serializers import parse_body
from cms.api.views import allow_params, flag_param

TemplateDeleted = message_answer("TemplateDeleted", "Template deleted")


def followed_by(followers: list[SiteBlock]) -> list[dict]:
    return [
        {"slug": block.slug, "locale": block.locale, "version": (block.template_ref or {}).get("version")}
        for block in followers
    ]


def template_response(
    template: BlockTemplate, followers: list[SiteBlock], *, status: int = 200, change: dict | None = None
) -> Response:
    meta: dict = {"followedBy": followed_by(followers)}
    if change is not None:
        meta["templateChange"] = change
    return Response(
        {"data": template_payload(template, followers=len(followers)), "meta": meta},
        status=status,
        headers={"ETag": template.etag},
    )


class TemplateView(SiteAPIView):
    openapi_tag = "templates"


class TemplateCollectionView(TemplateView):
    @extend_schema(
        operation_id="templates.list",
        parameters=[PageQuery],
        responses={200: OpenApiResponse(TemplateList, description="A page of templates.")},
    )
    def get(self, request):
        """List templates

        The site's block templates by name, without their schemas, each with how many blocks follow it."""
        allow_params(request, {"page", "perPage"})
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(selectors.templates_with_followers(self.actor))
        payloads = [template_payload(row, followers=row.follower_count, content=False) for row in rows]
        return pagination.response(payloads, meta)

    @extend_schema(
        operation_id="templates.create",
        request=inputs.TemplateCreateInput,
        responses={201: OpenApiResponse(TemplateAnswer, description="The new template, at version 1.")},
    )
    def post(self, request):
        """Create a template

        Slug from the name (`Landing page` → `landing-page`, `-2` on collision) unless given."""
        allow_params(request)
        values = parse_body(inputs.TemplateCreateInput(context={"actor": self.actor}), request)
        return template_response(template_create(actor=self.actor, **values), [], status=201)


class TemplateDetailView(TemplateView):
    honours_if_match = True

    @extend_schema(
        operation_id="templates.get",
        responses={200: OpenApiResponse(TemplateAnswer, description="The template and the blocks that follow it.")},
    )
    def get(self, request, slug: str):
        """Get a template"""
        allow_params(request)
        template, followers = selectors.template_with_followers(self.actor, slug)
        return template_response(template, followers)

    def write(self, request, slug: str, serializer_class: type[inputs.TemplatePatchInput]) -> Response:
        allow_params(request, {"dryRun"})
        dry_run = flag_param(request, "dryRun")
        template, followers = selectors.template_with_followers(self.actor, slug)
        expected = expected_version(request, current_etag=template.etag, current_version=template.version)
        serializer = serializer_class(context={"actor": self.actor, "template": template})
        current = template_payload(template, followers=len(followers))
        values = parse_body(serializer, request, current=current)
        template, change = template_update(
            actor=self.actor, template=template, expected_version=expected, dry_run=dry_run, **values
        )
        if not dry_run:
            template, followers = selectors.template_with_followers(self.actor, slug)
        return template_response(template, followers, change=change)

    @extend_schema(
        operation_id="templates.put",
        parameters=[inputs.DryRunQuery],
        request=inputs.TemplatePutInput,
        responses={200: OpenApiResponse(TemplateChangeAnswer, description="The changed template.")},
    )
    def put(self, request, slug: str):
        """Replace a template

        `name` and `schema` (and `description`, kept when left out). A schema change is made, in one
        transaction, to every block and locale copy that follows the template, as a block's own schema change
        is (`meta.templateChange` says per block and locale what happened to each value). `?dryRun=true`
        answers the same report and writes nothing."""
        return self.write(request, slug, inputs.TemplatePutInput)

    @extend_schema(
        operation_id="templates.patch",
        parameters=[inputs.DryRunQuery],
        request=inputs.TemplatePatchInput,
        responses={200: OpenApiResponse(TemplateChangeAnswer, description="The changed template.")},
    )
    def patch(self, request, slug: str):
        """Change a template

        Any of `name`, `description` and `schema`; a schema change reaches every follower, as with PUT."""
        return self.write(request, slug, inputs.TemplatePatchInput)

    @extend_schema(
        operation_id="templates.delete",
        responses={200: OpenApiResponse(TemplateDeleted, description="Deleted.")},
    )
    def delete(self, request, slug: str):
        """Delete a template

        Refused (`conflict`) while blocks follow it: detach them first."""
        allow_params(request)
        template, _ = selectors.template_with_followers(self.actor, slug)
        expected = expected_version(request, current_etag=template.etag, current_version=template.version)
        template_delete(actor=self.actor, template=template, expected_version=expected)
        return Response({"message": "Template deleted"})


class BlockDetachTemplateView(BlockWriteMixin, BlockView):
    @extend_schema(operation_id="site-blocks.detach-template", responses=block_answer("The block, detached."))
    def post(self, request, slug: str):
        """Detach a block from its template

        The block and its locale copies keep their schema, now their own."""
        allow_params(request)
        block, expected = self.block_for_write(request, slug)
        return block_response(block_detach_template(actor=self.actor, block=block, expected_version=expected))

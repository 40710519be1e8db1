"""Views of a block's revisions: the history (newest first), one revision, compare two, restore one.

Revisions are addressed by their `number` in the block's history (1, 2, 3…), in the path and in compare's
`from` and `to`; the global `id` is shown beside it but not taken. A number the block does not have is
`not_found`: revisions are always looked up through the block the URL names, which is looked up in the
caller's site.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from blocks import selectors, services
from blocks.api.inputs import RestoreQuery, RevisionCompareQuery
from blocks.api.serializers import (
    RestoreAnswer,
    RevisionAnswer,
    RevisionComparison,
    RevisionList,
    block_meta,
    block_payload,
)
from blocks.api.views.blocks import BlockView, BlockWriteMixin
from cms.api.formats import iso_ms
from cms.api.openapi import PageQuery
from cms.api.pagination import PageMetaPagination
from cms.api.serializers import parse_query
from cms.api.views import allow_params, flag_param
from revisions import diff
from revisions.models import BlockRevision
from revisions.selectors import revision_of_block, revision_state, revisions_for_block

REVISION_NUMBER = OpenApiParameter(
    "number",
    str,
    OpenApiParameter.PATH,
    pattern="^[0-9]+$",
    description="The revision's `number` in the block's history (1, 2, 3…, as the list shows it), not its `id`.",
)


def author_payload(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "fullName": user.get_full_name() or user.get_username()}


def revision_payload(entry: BlockRevision) -> dict:
    return {
        "id": entry.pk,
        "siteBlockId": entry.block_id,
        "number": entry.number,
        "changes": entry.changes,
        "createdAt": iso_ms(entry.created_at),
        "author": author_payload(entry.author),
        "comment": entry.comment,
    }


def state_payload(state: dict) -> dict:
    payload = {"name": state["name"], "status": state["status"], "tags": state["tags"]}
    if state.get("path") is not None:
        payload["path"] = state["path"]
    payload.update({"schema": state["schema"], "data": state["data"]})
    return payload


class RevisionListView(BlockView):
    @extend_schema(
        operation_id="site-blocks.revisions",
        parameters=[PageQuery],
        responses={200: OpenApiResponse(RevisionList, description="A page of revisions.")},
    )
    def get(self, request, slug: str):
        """A block's revisions, newest first"""
        allow_params(request, {"page", "perPage"})
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(revisions_for_block(block))
        return pagination.response([revision_payload(entry) for entry in rows], meta)


class RevisionDetailView(BlockView):
    @extend_schema(
        operation_id="site-blocks.revision",
        parameters=[REVISION_NUMBER],
        responses={200: OpenApiResponse(RevisionAnswer, description="The revision.")},
    )
    def get(self, request, slug: str, number: str):
        """One revision (by its number in the block's history) with its full schema, data and status"""
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        entry = revision_of_block(block, number)
        return Response({"data": {**revision_payload(entry), **state_payload(revision_state(entry))}})


class RevisionCompareView(BlockView):
    @extend_schema(
        operation_id="site-blocks.compare",
        parameters=[RevisionCompareQuery],
        responses={200: OpenApiResponse(RevisionComparison, description="Full changes from one to the other.")},
    )
    def get(self, request, slug: str):
        """Compare two revisions (by their numbers in the block's history)"""
        allow_params(request, {"from", "to"})
        pair = parse_query(RevisionCompareQuery, request, "Name the two revisions to compare with `from` and `to`.")
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        old = revision_of_block(block, pair["from"])
        new = revision_of_block(block, pair["to"])
        changes = diff.changes(revision_state(old), revision_state(new), full=True)
        return Response({"data": {"from": revision_payload(old), "to": revision_payload(new), "changes": changes}})


class RevisionRestoreView(BlockWriteMixin, BlockView):
    @extend_schema(
        operation_id="site-blocks.restore",
        parameters=[REVISION_NUMBER, RestoreQuery],
        responses={200: OpenApiResponse(RestoreAnswer, description="The restored block; `meta` says what was.")},
    )
    def post(self, request, slug: str, number: str):
        """Restore a revision

        The revision's data back in the working copy, recorded as a new revision: carried through the field ids
        to today's schema (renamed and moved fields under their current names, types converted, what no longer
        maps kept as an orphan and listed in `meta.mapping`), or with `?restoreSchema=true` with the revision's
        schema too."""
        allow_params(request, {"publish", "restoreSchema"})
        block, expected = self.block_for_write(request, slug)
        block, restore_meta = services.block_restore(
            actor=self.actor,
            block=block,
            revision_number=number,
            expected_version=expected,
            publish=flag_param(request, "publish"),
            restore_schema=flag_param(request, "restoreSchema"),
        )
        return Response(
            {"data": block_payload(block), "meta": {**block_meta(block), **restore_meta}}, headers={"ETag": block.etag}
        )

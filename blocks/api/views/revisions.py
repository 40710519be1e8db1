"""Views of a block's revisions: the history (newest first), one revision, compare two, restore one.

A revision of another block, or of another site's block, is `not_found`: revisions are always looked up
through the block the URL names, which is looked up in the caller's site.
"""

from __future__ import annotations

from rest_framework.response import Response

from accounts.api import SiteAPIView
from blocks import selectors, services
from blocks.api.openapi import document
from blocks.api.serializers import block_meta, block_payload
from blocks.api.views.blocks import BlockWriteMixin
from cms import errors
from cms.api.formats import iso_ms
from cms.api.pagination import PageMetaPagination
from cms.api.views import allow_params, flag_param
from revisions import diff
from revisions.models import BlockRevision
from revisions.selectors import revision_of_block, revision_state, revisions_for_block


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


class RevisionListView(SiteAPIView):
    @document("revisions")
    def get(self, request, slug: str):
        allow_params(request, {"page", "perPage"})
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(revisions_for_block(block))
        return pagination.response([revision_payload(entry) for entry in rows], meta)


class RevisionDetailView(SiteAPIView):
    @document("revision")
    def get(self, request, slug: str, revision_id: str):
        allow_params(request)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        entry = revision_of_block(block, revision_id)
        return Response({"data": {**revision_payload(entry), **state_payload(revision_state(entry))}})


class RevisionCompareView(SiteAPIView):
    @document("compare")
    def get(self, request, slug: str):
        allow_params(request, {"from", "to"})
        params = request.query_params
        missing = {name: "Required: a revision id of this block." for name in ("from", "to") if not params.get(name)}
        if missing:
            raise errors.BadRequest("Name the two revisions to compare with `from` and `to`.", fields=missing)
        block = selectors.block_for_actor(self.actor, slug, request.query_params.get("locale"))
        old = revision_of_block(block, request.query_params["from"])
        new = revision_of_block(block, request.query_params["to"])
        changes = diff.changes(revision_state(old), revision_state(new), full=True)
        return Response({"data": {"from": revision_payload(old), "to": revision_payload(new), "changes": changes}})


class RevisionRestoreView(BlockWriteMixin, SiteAPIView):
    @document("restore")
    def post(self, request, slug: str, revision_id: str):
        allow_params(request, {"publish"})
        publish = flag_param(request, "publish")
        block, expected = self.block_for_write(request, slug)
        block, restore_meta = services.block_restore(
            actor=self.actor, block=block, revision_id=revision_id, expected_version=expected, publish=publish
        )
        return Response(
            {"data": block_payload(block), "meta": {**block_meta(block), **restore_meta}}, headers={"ETag": block.etag}
        )

"""Views of the releases API: list/create, get/patch/delete, items, publish, rollback.

Every answer about one release carries its ETag (`"<id>-<version>"`); writes honour `If-Match` with it, so two
editors changing the same release cannot overwrite each other, and publishing what someone else just changed is
a `stale_write`.
"""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.api import SiteAPIView
from blocks.selectors import block_for_actor
from cms.api.openapi import PageQuery
from cms.api.pagination import PageMetaPagination
from cms.api.preconditions import expected_version
from cms.api.serializers import parse_body
from cms.api.views import allow_params
from releases import selectors, services
from releases.api.inputs import ReleaseInput, ReleaseItemInput, ReleasePublishInput
from releases.api.serializers import (
    ReleaseAnswer,
    ReleaseDeleted,
    ReleaseItemAnswer,
    ReleaseItemRemoved,
    ReleaseList,
    etag,
    item_payload,
    release_payload,
)
from releases.models import ItemAction, Release
from releases.services import ReleaseValues


class ReleaseView(SiteAPIView):
    openapi_tag = "releases"
    honours_if_match = True

    def version_from(self, release: Release) -> int | None:
        return expected_version(self.request, current_etag=etag(release), current_version=release.version)

    def answer(self, release: Release, status: int = 200) -> Response:
        items = selectors.release_items(release)
        return Response({"data": release_payload(release, items)}, status=status, headers={"ETag": etag(release)})


class ReleaseCollectionView(ReleaseView):
    honours_if_match = False

    @extend_schema(
        operation_id="releases.list",
        parameters=[PageQuery],
        responses={200: OpenApiResponse(ReleaseList, description="A page of releases, newest first.")},
    )
    def get(self, request):
        """The site's releases, newest first"""
        allow_params(request, {"page", "perPage"})
        pagination = PageMetaPagination(request)
        rows, meta = pagination.paginate(selectors.releases_for_actor(self.actor))
        return pagination.response([release_payload(release) for release in rows], meta)

    @extend_schema(
        operation_id="releases.create",
        request=ReleaseInput,
        responses={201: OpenApiResponse(ReleaseAnswer, description="The new, open release.")},
    )
    def post(self, request):
        """Create a release (editors, owners)"""
        allow_params(request)
        services.require_manage(self.actor)
        values = parse_body(ReleaseInput(context={"creating": True}), request)
        release = services.release_create(actor=self.actor, values=cast(ReleaseValues, values))
        return self.answer(release, status=201)


class ReleaseDetailView(ReleaseView):
    @extend_schema(
        operation_id="releases.get", responses={200: OpenApiResponse(ReleaseAnswer, description="The release.")}
    )
    def get(self, request, release_id: str):
        """One release with its items; `changedSinceAdded` flags conflicts before publishing"""
        allow_params(request)
        return self.answer(selectors.release_for_actor(self.actor, release_id))

    @extend_schema(
        operation_id="releases.update",
        request=ReleaseInput,
        responses={200: OpenApiResponse(ReleaseAnswer, description="The release.")},
    )
    def patch(self, request, release_id: str):
        """Rename a release or change its description"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        services.require_manage(self.actor)
        version = self.version_from(release)
        values = parse_body(ReleaseInput(context={"creating": False}), request)
        release = services.release_update(
            actor=self.actor, release=release, values=cast(ReleaseValues, values), expected_version=version
        )
        return self.answer(release)

    @extend_schema(
        operation_id="releases.delete", responses={200: OpenApiResponse(ReleaseDeleted, description="Deleted.")}
    )
    def delete(self, request, release_id: str):
        """Delete an open or rolled-back release (its blocks are untouched)"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        self.version_from(release)
        services.release_delete(actor=self.actor, release=release)
        return Response({"message": "Release deleted"})


class ReleaseItemsView(ReleaseView):
    @extend_schema(
        operation_id="releases.items.add",
        request=ReleaseItemInput,
        responses={201: OpenApiResponse(ReleaseItemAnswer, description="The item; its block's version is recorded.")},
    )
    def post(self, request, release_id: str):
        """Add a block's locale copy to the release (again: its current version becomes the reviewed one)"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        version = self.version_from(release)
        values = parse_body(ReleaseItemInput(), request)
        block = block_for_actor(self.actor, values["slug"], values.get("locale"))
        item = services.release_add_item(
            actor=self.actor,
            release=release,
            block=block,
            action=values.get("action", ItemAction.PUBLISH),
            expected_version=version,
        )
        release.refresh_from_db(fields=["version"])
        return Response({"data": item_payload(item)}, status=201, headers={"ETag": etag(release)})


class ReleaseItemView(ReleaseView):
    @extend_schema(
        operation_id="releases.items.remove",
        responses={200: OpenApiResponse(ReleaseItemRemoved, description="Removed; the block is untouched.")},
    )
    def delete(self, request, release_id: str, item_id: str):
        """Take an item out of an open release"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        item = selectors.item_of(release, item_id)
        version = self.version_from(release)
        services.release_remove_item(actor=self.actor, release=release, item=item, expected_version=version)
        release.refresh_from_db(fields=["version"])
        return Response({"message": "Item removed"}, headers={"ETag": etag(release)})


class ReleasePublishView(ReleaseView):
    @extend_schema(
        operation_id="releases.publish",
        request=ReleasePublishInput,
        responses={
            200: OpenApiResponse(ReleaseAnswer, description="Published: every item went live in one transaction.")
        },
    )
    def post(self, request, release_id: str):
        """Publish every item in one transaction, or none: conflicts and invalid fields are named per item"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        services.require_manage(self.actor)
        version = self.version_from(release)
        values = parse_body(ReleasePublishInput(), request)
        release = services.release_publish(
            actor=self.actor,
            release=release,
            expected_version=version,
            accept_changes=bool(values.get("accept_changes")),
        )
        return self.answer(release)


class ReleaseRollbackView(ReleaseView):
    @extend_schema(
        operation_id="releases.rollback",
        responses={200: OpenApiResponse(ReleaseAnswer, description="Rolled back: what was live before is again.")},
    )
    def post(self, request, release_id: str):
        """Put back what was live before the release, for every item, in one transaction"""
        allow_params(request)
        release = selectors.release_for_actor(self.actor, release_id)
        services.require_manage(self.actor)
        version = self.version_from(release)
        release = services.release_rollback(actor=self.actor, release=release, expected_version=version)
        return self.answer(release)

"""Views of the assets API: the library (list, upload), one asset (get, change, delete), its file (replace),
and the site's usage against its quota. Editors and owners write; every member reads.

An upload is either `multipart/form-data` (a `file` part, optional `title`, `tags`, `alt.<locale>` fields) or
a JSON body with the bytes in base64 (`AssetUploadInput`); both reach the same service. The OpenAPI document
describes the JSON form (the fuzzer sends it); the multipart form is described in the operation's text.
"""

from __future__ import annotations

from typing import cast

from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.api import SiteAPIView
from accounts.permissions import Action
from cms import errors, messages
from cms.api.openapi import PageQuery
from cms.api.pagination import PageMetaPagination
from cms.api.parsers import StrictJSONParser
from cms.api.serializers import parse_body, parse_query
from cms.api.views import allow_params, flag_param
from cms.conf import cms_setting
from media import selectors, services
from media.api.inputs import AssetFileInput, AssetUploadInput, AssetValuesInput, read_form
from media.api.serializers import (
    AssetAnswer,
    AssetDeleted,
    AssetList,
    AssetUploaded,
    UsageAnswer,
    asset_payload,
)
from media.models import AssetKind

LIST_PARAMS = {"page", "perPage", "kind", "tag", "search"}
FILE_FIELD = "file"


class AssetListQuery(PageQuery):
    kind = serializers.ChoiceField(choices=AssetKind.values, required=False, help_text="`image` or `file`.")
    tag = serializers.CharField(required=False, max_length=50, help_text="Assets carrying this tag.")
    search = serializers.CharField(required=False, max_length=200, help_text="In the title and file name.")


DUPLICATE = OpenApiParameter(
    "duplicate", bool, OpenApiParameter.QUERY, required=False, description="Store the same bytes again as a new asset."
)
FORCE = OpenApiParameter(
    "force", bool, OpenApiParameter.QUERY, required=False, description="Delete even while blocks use the asset."
)


# The parsers of the views whose POST takes a file: multipart (`file`) or JSON (`contentBase64`).
UploadParsers = [StrictJSONParser, MultiPartParser]


class AssetView(SiteAPIView):
    openapi_tag = "assets"
    # JSON only, like the rest of the API; the two upload endpoints also take multipart (`UploadParsers`).
    parser_classes = [StrictJSONParser]

    def read_upload(self, request, serializer) -> tuple[services.Upload, dict, str]:
        """The file and values of an upload body, multipart or JSON; answers `(upload, values, field)`, where
        `field` names the file in this body's words (`file`, `contentBase64`)."""
        if request.content_type.startswith("multipart/"):
            values = read_form(request.data, with_values=isinstance(serializer, AssetValuesInput))
            uploaded = request.FILES.get(FILE_FIELD)
            if not isinstance(uploaded, UploadedFile):
                raise errors.ValidationFailed(fields={FILE_FIELD: messages.REQUIRED})
            limit = cms_setting("MEDIA_MAX_UPLOAD_BYTES")
            content = uploaded.read(limit + 1)
            upload = services.Upload(content, uploaded.name or "", uploaded.content_type)
            if values:
                services.clean_asset_values(self.actor.site, values)
            return upload, dict(values), FILE_FIELD
        body = parse_body(serializer, request)
        upload = services.Upload(body.pop("content"), body.pop("filename"))
        return upload, body, "contentBase64"


def renamed(exc: errors.CmsError, field: str) -> errors.CmsError:
    """A file problem named in the body's words (`contentBase64` for a JSON upload)."""
    if exc.fields and FILE_FIELD in exc.fields and field != FILE_FIELD:
        exc.fields = {(field if key == FILE_FIELD else key): text for key, text in exc.fields.items()}
    return exc


class AssetCollectionView(AssetView):
    parser_classes = UploadParsers

    @extend_schema(
        operation_id="assets.list",
        parameters=[AssetListQuery],
        responses={200: OpenApiResponse(AssetList, description="A page of the site's assets, newest first.")},
    )
    def get(self, request):
        """List the site's assets (newest first; filter by kind, tag, search)"""
        allow_params(request, LIST_PARAMS)
        query = parse_query(AssetListQuery, request, "Invalid filter.")
        pagination = PageMetaPagination(request)
        assets = selectors.assets_for_actor(
            self.actor, kind=query.get("kind"), tag=query.get("tag"), search=query.get("search")
        )
        rows, meta = pagination.paginate(assets)
        return pagination.response([asset_payload(asset) for asset in rows], meta)

    @extend_schema(
        operation_id="assets.upload",
        parameters=[DUPLICATE],
        request=AssetUploadInput,
        responses={
            201: OpenApiResponse(AssetUploaded, description="The new asset."),
            200: OpenApiResponse(AssetUploaded, description="The same bytes were in the library: that asset."),
        },
    )
    def post(self, request):
        """Upload a file (multipart `file`, or JSON with `contentBase64`)

        Multipart: a `file` part, and optional `title`, `tags` (repeated or comma-separated) and `alt.<locale>`
        fields. The type is sniffed from the bytes and must agree with the name's extension (and a declared
        `Content-Type`); images lose their EXIF/GPS metadata, SVG is sanitised. The same bytes uploaded again
        answer the existing asset (200) unless `?duplicate=true`. Over `MEDIA_MAX_UPLOAD_BYTES`, or an image
        over `MEDIA_MAX_IMAGE_PIXELS`: 413 `payload_too_large`; over the site's quota: 409 `quota_exceeded`."""
        allow_params(request, {"duplicate"})
        duplicate = flag_param(request, "duplicate")
        services.require_write(self.actor)
        serializer = AssetUploadInput(context={"actor": self.actor})
        upload, values, field = self.read_upload(request, serializer)
        try:
            with serializer.api_names():
                asset, created = services.asset_upload(
                    actor=self.actor, upload=upload, values=cast(services.AssetValues, values), duplicate=duplicate
                )
        except errors.CmsError as exc:
            raise renamed(exc, field) from None
        return Response({"data": asset_payload(asset), "meta": {"created": created}}, status=201 if created else 200)


class AssetDetailView(AssetView):
    @extend_schema(operation_id="assets.get", responses={200: OpenApiResponse(AssetAnswer, description="The asset.")})
    def get(self, request, asset_id: str):
        """Get an asset"""
        allow_params(request)
        return Response({"data": asset_payload(selectors.asset_for_actor(self.actor, asset_id))})

    @extend_schema(
        operation_id="assets.update",
        request=AssetValuesInput,
        responses={200: OpenApiResponse(AssetAnswer, description="The asset.")},
    )
    def patch(self, request, asset_id: str):
        """Change an asset's title, alt text, tags or focal point"""
        allow_params(request)
        asset = selectors.asset_for_actor(self.actor, asset_id)
        serializer = AssetValuesInput(context={"actor": self.actor})
        values = parse_body(serializer, request)
        with serializer.api_names():
            asset = services.asset_update(actor=self.actor, asset=asset, values=cast(services.AssetValues, values))
        return Response({"data": asset_payload(asset)})

    @extend_schema(
        operation_id="assets.delete",
        parameters=[FORCE],
        responses={200: OpenApiResponse(AssetDeleted, description="Deleted.")},
    )
    def delete(self, request, asset_id: str):
        """Delete an asset

        Refused with 409 `asset_in_use` while a block uses it (working copy, published version, another locale's
        copy or a revision); `fields` names each user. `?force=true` deletes anyway: the blocks then show the
        reference as missing."""
        allow_params(request, {"force"})
        force = flag_param(request, "force")
        asset = selectors.asset_for_actor(self.actor, asset_id)
        services.asset_delete(actor=self.actor, asset=asset, force=force)
        return Response({"message": "Asset deleted"})


class AssetFileView(AssetView):
    parser_classes = UploadParsers

    @extend_schema(
        operation_id="assets.replace-file",
        request=AssetFileInput,
        responses={200: OpenApiResponse(AssetAnswer, description="The asset, same id, new file.")},
    )
    def post(self, request, asset_id: str):
        """Replace an asset's file, keeping its id

        Multipart with a `file` part, or JSON with `filename` and `contentBase64`; checked as an upload is. The
        file gets a new URL; blocks that point at the asset show the new file at once (delivery included)."""
        allow_params(request)
        asset = selectors.asset_for_actor(self.actor, asset_id)
        services.require_write(self.actor)
        upload, _, field = self.read_upload(request, AssetFileInput(context={"actor": self.actor}))
        try:
            asset = services.asset_replace_file(actor=self.actor, asset=asset, upload=upload)
        except errors.CmsError as exc:
            raise renamed(exc, field) from None
        return Response({"data": asset_payload(asset)})


class AssetUsageView(AssetView):
    @extend_schema(
        operation_id="assets.usage",
        responses={200: OpenApiResponse(UsageAnswer, description="What the library takes, against the quota.")},
    )
    def get(self, request):
        """The site's media usage against its quota"""
        allow_params(request)
        self.actor.require(Action.READ)
        used_bytes, used_files = services.site_usage(self.actor.site)
        return Response(
            {
                "data": {
                    "bytes": used_bytes,
                    "files": used_files,
                    "quotaBytes": cms_setting("MEDIA_QUOTA_BYTES"),
                    "quotaFiles": cms_setting("MEDIA_QUOTA_FILES"),
                    "maxUploadBytes": cms_setting("MEDIA_MAX_UPLOAD_BYTES"),
                }
            }
        )

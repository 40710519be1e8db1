"""`/api/v1/site/export` and `/api/v1/site/import`: a site's bundle over HTTP, for its owners.

GET  /site/export[?revisions=true]    owners: the bundle as one zip archive (`application/zip`)
POST /site/import[?dryRun=true]       owners: `{"bundle": "<the zip, base64>"}` → the import's report

The site is the token's (or `?site=` for an admin session), as everywhere in the management API. The zip holds
exactly the files `manage.py export_site` writes; the import is the command's, applied to this site (the
bundle's own slug is not used). Bodies are capped like uploads (`MEDIA_MAX_UPLOAD_BYTES` in base64): bigger
bundles go through the commands.
"""

from __future__ import annotations

import base64
import binascii

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api import SiteAPIView
from accounts.permissions import Action
from bundles import format
from bundles.exporting import export_site
from bundles.importing import import_bundle
from cms import errors
from cms.api.openapi import envelope
from cms.api.parsers import StrictJSONParser
from cms.api.serializers import InputSerializer, TypedString, parse_body
from cms.api.views import allow_params, flag_param

OWNERS_ONLY = "Only the site's owners export or import bundles."


class ImportInput(InputSerializer):
    """A bundle to apply: the zip archive `GET /site/export` answers, in base64."""

    bundle = TypedString(help_text="The bundle's zip archive, base64-encoded.")


class BundleCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class BundleKindCountsSerializer(serializers.Serializer):
    site = BundleCountsSerializer()
    locales = BundleCountsSerializer()
    assets = BundleCountsSerializer()
    blocks = BundleCountsSerializer()
    revisions = BundleCountsSerializer()


class BundleChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["site", "locales", "assets", "blocks", "revisions"])
    key = serializers.CharField(help_text="The item's stable key: a slug, a locale code, an asset key, `en/about`.")
    outcome = serializers.ChoiceField(choices=["created", "updated"])


class BundleReportSerializer(serializers.Serializer):
    site = serializers.CharField()
    dryRun = serializers.BooleanField()
    counts = BundleKindCountsSerializer()
    changes = BundleChangeSerializer(
        many=True, help_text="Each item created or updated (unchanged ones are counted only)."
    )


ImportAnswer = envelope("SiteImportReport", BundleReportSerializer())


class SiteExportView(SiteAPIView):
    openapi_tag = "site bundles"

    @extend_schema(
        operation_id="site.export",
        parameters=[OpenApiParameter("revisions", bool, description="Include each block's history.")],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The bundle.")},
    )
    def get(self, request):
        """Export the site as a bundle (a zip archive; see docs/environments.md)"""
        allow_params(request, {"revisions"})
        revisions = flag_param(request, "revisions")
        self.actor.require(Action.MANAGE, OWNERS_ONLY)
        archive = format.to_zip(export_site(self.actor.site, revisions=revisions))
        answer = HttpResponse(archive, content_type="application/zip")
        answer["Content-Disposition"] = f'attachment; filename="{self.actor.site.slug}-bundle.zip"'
        return answer


class SiteImportView(SiteAPIView):
    openapi_tag = "site bundles"
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="site.import",
        parameters=[OpenApiParameter("dryRun", bool, description="Report what would change; write nothing.")],
        request=ImportInput,
        responses={200: OpenApiResponse(ImportAnswer, description="What changed (or would change).")},
    )
    def post(self, request):
        """Apply a bundle to the site (all or nothing; `dryRun` writes nothing)"""
        allow_params(request, {"dryRun"})
        dry_run = flag_param(request, "dryRun")
        self.actor.require(Action.MANAGE, OWNERS_ONLY)
        body = parse_body(ImportInput(context={"actor": self.actor}), request)
        try:
            archive = base64.b64decode(body["bundle"], validate=True)
        except (binascii.Error, ValueError):
            raise errors.ValidationFailed(fields={"bundle": "Must be base64."}) from None
        report = import_bundle(format.from_zip(archive), actor=self.actor, dry_run=dry_run)
        return Response({"data": report.as_dict()})

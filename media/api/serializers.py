"""Output shapes of the assets API (camelCase, UTC timestamps with milliseconds).

The serializers describe the shapes (the OpenAPI components); `asset_payload` builds them.
"""

from __future__ import annotations

from rest_framework import serializers

from cms.api.formats import iso_ms
from cms.api.openapi import envelope, message_answer, page_of
from media.models import Asset


class FocalPointSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()


class AssetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["image", "file"])
    mimeType = serializers.CharField(help_text="Sniffed from the bytes.")
    size = serializers.IntegerField(help_text="Bytes, as stored (metadata stripped).")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    color = serializers.CharField(
        help_text="PNG/JPEG/GIF/WebP: the average colour `#rrggbb`, a placeholder; else empty."
    )
    url = serializers.CharField(help_text="Where the original is served (`MEDIA_URL`).")
    filename = serializers.CharField()
    title = serializers.CharField()
    alt = serializers.DictField(child=serializers.CharField(), help_text="Alt text per locale.")
    focalPoint = FocalPointSerializer(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    sha256 = serializers.CharField()
    uploadedBy = serializers.IntegerField(allow_null=True, help_text="The uploading user's id.")
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class UploadMetaSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False: the same bytes were already in the library (that asset).")


class UsageSerializer(serializers.Serializer):
    bytes = serializers.IntegerField()
    files = serializers.IntegerField()
    quotaBytes = serializers.IntegerField()
    quotaFiles = serializers.IntegerField()
    maxUploadBytes = serializers.IntegerField()


AssetAnswer = envelope("AssetAnswer", AssetSerializer())
AssetUploaded = envelope("AssetUploaded", AssetSerializer(), meta=UploadMetaSerializer())
AssetList = page_of("AssetList", AssetSerializer)
AssetDeleted = message_answer("AssetDeleted", "Asset deleted")
UsageAnswer = envelope("UsageAnswer", UsageSerializer())


def asset_payload(asset: Asset) -> dict:
    focal = None if asset.focal_x is None or asset.focal_y is None else {"x": asset.focal_x, "y": asset.focal_y}
    return {
        "id": asset.pk,
        "kind": asset.kind,
        "mimeType": asset.mime_type,
        "size": asset.size,
        "width": asset.width,
        "height": asset.height,
        "color": asset.color,
        "url": asset.url,
        "filename": asset.original_name,
        "title": asset.title,
        "alt": asset.alt,
        "focalPoint": focal,
        "tags": asset.tags,
        "sha256": asset.sha256,
        "uploadedBy": asset.uploaded_by_id,
        "createdAt": iso_ms(asset.created_at),
        "updatedAt": iso_ms(asset.updated_at),
    }

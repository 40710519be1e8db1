"""`POST /api/v1/preview-tokens`: a signed, short-lived preview token for the caller's site (accounts/preview.py).

What a frontend's preview route or a CI job calls to read working copies without holding a `preview` API token
for long: the token it answers is accepted by the delivery API in place of one, for that site only, until it
expires. Any member whose role previews may mint one (a token needs the `preview` scope); minting writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api import SiteAPIView
from accounts.preview import mint_preview_token, require_preview
from cms.api.serializers import InputSerializer, TypedInteger, parse_body
from cms.api.views import allow_params


class PreviewTokenInput(InputSerializer):
    ttlSeconds = TypedInteger(
        source="ttl_seconds",
        required=False,
        help_text="How long the token lives, in seconds (default 3600; at most CMS_PREVIEW_TOKEN_MAX_SECONDS).",
    )


PreviewTokenAnswer = inline_serializer(
    "PreviewTokenAnswer",
    {
        "data": inline_serializer(
            "PreviewToken",
            {
                "token": serializers.CharField(
                    help_text="`cms_preview_…`: send it as a bearer token or `?previewToken=`."
                ),
                "expiresAt": serializers.DateTimeField(),
                "site": serializers.CharField(help_text="The slug of the only site it opens."),
                "release": serializers.IntegerField(
                    required=False, help_text="The release it previews (only when one was asked for)."
                ),
            },
        )
    },
)


class PreviewTokenView(SiteAPIView):
    openapi_tag = "preview"
    writes_content = False
    input_class: type[InputSerializer] = PreviewTokenInput

    def release_of(self, values: dict) -> int | None:
        """The release the token is scoped to: none here (`releases.api.preview` adds `release`)."""
        return None

    @extend_schema(
        operation_id="previewTokens.create",
        request=PreviewTokenInput,
        responses={201: OpenApiResponse(PreviewTokenAnswer, description="A token for the delivery API's preview.")},
    )
    def post(self, request):
        """Mint a preview token: the delivery API serves this site's working copies to it until it expires"""
        allow_params(request)
        require_preview(self.actor)  # before the body: a caller who may not mint learns nothing from it
        values = parse_body(self.input_class(), request)
        release_id = self.release_of(values)
        token, expires_at = mint_preview_token(
            actor=self.actor, ttl_seconds=values.get("ttl_seconds"), release_id=release_id
        )
        expires = datetime.fromtimestamp(expires_at, tz=UTC).isoformat().replace("+00:00", "Z")
        data = {"token": token, "expiresAt": expires, "site": self.actor.site.slug}
        if release_id is not None:
            data["release"] = release_id
        return Response({"data": data}, status=201)

"""`POST /api/v1/preview-tokens` with `release`: a preview token scoped to one release of the caller's site.

The token itself is `accounts.preview`'s (signed, short-lived, for one site); this view adds the one thing the
accounts app cannot check, that the release is the site's, so a frontend learns at once when it asks for a
release that does not exist rather than at its first delivery read. The delivery API then serves, for the
release's blocks, the state the release would publish, and published content for everything else.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema

from accounts import preview_api
from cms import errors
from cms.api.serializers import TypedInteger
from releases.models import Release


class ReleasePreviewTokenInput(preview_api.PreviewTokenInput):
    release = TypedInteger(
        required=False,
        help_text="A release of the site: the token previews what publishing it would put live (default: none).",
    )


class PreviewTokenView(preview_api.PreviewTokenView):
    input_class = ReleasePreviewTokenInput

    def release_of(self, values: dict) -> int | None:
        release_id = values.get("release")
        if release_id is None:
            return None
        if not Release.objects.filter(pk=release_id, site=self.actor.site).exists():
            raise errors.ValidationFailed(fields={"release": f"No release {release_id} on this site."})
        return int(release_id)

    @extend_schema(
        operation_id="previewTokens.create",
        request=ReleasePreviewTokenInput,
        responses={
            201: OpenApiResponse(preview_api.PreviewTokenAnswer, description="A token for the delivery API's preview.")
        },
    )
    def post(self, request):
        """Mint a preview token: the delivery API serves this site's working copies (or a release's state) to it
        until it expires"""
        return super().post(request)

"""URLs of the accounts API (mounted at /api/v1/). A trailing slash is accepted too.

`preview-tokens` is routed by `releases.api.urls`: its view (`releases.api.preview`) extends
`accounts.preview_api.PreviewTokenView` with the release a token may be scoped to.
"""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

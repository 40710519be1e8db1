"""URLs of the accounts API (mounted at /api/v1/). A trailing slash is accepted too."""

from django.urls import re_path

from accounts import preview_api

urlpatterns = [
    re_path(r"^preview-tokens/?$", preview_api.PreviewTokenView.as_view(), name="preview-tokens"),
]

"""URLs of the assets API (mounted at /api/v1/). A trailing slash is accepted too."""

from django.urls import re_path

from media.api import views

ASSET = r"(?P<asset_id>[^/]+)"

urlpatterns = [
    re_path(r"^assets/?$", views.AssetCollectionView.as_view(), name="assets"),
    re_path(r"^assets/usage/?$", views.AssetUsageView.as_view(), name="assets-usage"),
    re_path(rf"^assets/{ASSET}/?$", views.AssetDetailView.as_view(), name="asset"),
    re_path(rf"^assets/{ASSET}/file/?$", views.AssetFileView.as_view(), name="asset-file"),
]

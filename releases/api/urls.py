"""URLs of the releases API (mounted at /api/v1/). A trailing slash is accepted too."""

from django.urls import re_path

from releases.api import preview, views

RELEASE = r"(?P<release_id>[^/]+)"

urlpatterns = [
    re_path(r"^preview-tokens/?$", preview.PreviewTokenView.as_view(), name="preview-tokens"),
    re_path(r"^releases/?$", views.ReleaseCollectionView.as_view(), name="releases"),
    re_path(rf"^releases/{RELEASE}/?$", views.ReleaseDetailView.as_view(), name="release"),
    re_path(rf"^releases/{RELEASE}/items/?$", views.ReleaseItemsView.as_view(), name="release-items"),
    re_path(rf"^releases/{RELEASE}/items/(?P<item_id>[^/]+)/?$", views.ReleaseItemView.as_view(), name="release-item"),
    re_path(rf"^releases/{RELEASE}/publish/?$", views.ReleasePublishView.as_view(), name="release-publish"),
    re_path(rf"^releases/{RELEASE}/rollback/?$", views.ReleaseRollbackView.as_view(), name="release-rollback"),
]

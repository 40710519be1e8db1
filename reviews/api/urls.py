"""URLs of the reviews API (mounted at /api/v1/). A trailing slash is accepted too."""

from django.urls import re_path

from reviews.api import views

REVIEW = r"(?P<review_id>[^/]+)"

urlpatterns = [
    re_path(r"^reviews/?$", views.ReviewCollectionView.as_view(), name="reviews"),
    re_path(rf"^reviews/{REVIEW}/?$", views.ReviewDetailView.as_view(), name="review"),
    re_path(rf"^reviews/{REVIEW}/approve/?$", views.ReviewApproveView.as_view(), name="review-approve"),
    re_path(
        rf"^reviews/{REVIEW}/request-changes/?$",
        views.ReviewRequestChangesView.as_view(),
        name="review-request-changes",
    ),
    re_path(r"^site-blocks/(?P<slug>[^/]+)/reviews/?$", views.BlockReviewsView.as_view(), name="site-block-reviews"),
    re_path(r"^releases/(?P<release_id>[^/]+)/reviews/?$", views.ReleaseReviewsView.as_view(), name="release-reviews"),
]

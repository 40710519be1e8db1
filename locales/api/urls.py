"""URLs of the locales API (mounted at /api/v1/). A trailing slash is accepted too."""

from django.urls import re_path

from locales.api import views

urlpatterns = [
    re_path(r"^locales/?$", views.LocaleCollectionView.as_view(), name="locales"),
    re_path(r"^locales/(?P<code>[^/]+)/?$", views.LocaleDetailView.as_view(), name="locale"),
]

"""The originals under `MEDIA_URL` (mounted by `cms/urls.py` when `MEDIA_URL` is a local path)."""

from django.urls import re_path

from media.views import serve_media

urlpatterns = [re_path(r"^(?P<path>.+)$", serve_media, name="media-file")]

"""URLs of scheduled publishing in the management API (mounted at /api/v1/, beside the block URLs)."""

from django.urls import re_path

from scheduling.api import BlockScheduleView
from scheduling.release_api import ReleaseScheduleView

urlpatterns = [
    re_path(r"^site-blocks/(?P<slug>[^/]+)/schedule/?$", BlockScheduleView.as_view(), name="site-block-schedule"),
    re_path(r"^releases/(?P<release_id>[^/]+)/schedule/?$", ReleaseScheduleView.as_view(), name="release-schedule"),
]

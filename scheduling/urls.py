"""URLs of scheduled publishing in the management API (mounted at /api/v1/, beside the block URLs)."""

from django.urls import re_path

from scheduling.api import BlockScheduleView

urlpatterns = [
    re_path(r"^site-blocks/(?P<slug>[^/]+)/schedule/?$", BlockScheduleView.as_view(), name="site-block-schedule"),
]

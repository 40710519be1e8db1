"""URLs of the delivery API (mounted at /api/v1/delivery/). A trailing slash is accepted too.

`_bench/baseline` and `_bench/round-trip` exist only when `CMS["BENCH_BASELINE"]` is on (env
`CMS_BENCH_BASELINE=1`): the benchmark's bare view, and the same after one database round trip, served through
the same server and middleware as the real endpoints.
"""

from django.urls import re_path

from cms.conf import cms_setting
from delivery import openapi, renditions, views  # noqa: F401  (openapi: registers the delivery operations)

SITE = r"(?P<site>[^/]+)"

urlpatterns = [
    re_path(rf"^{SITE}/blocks/?$", views.block_list, name="delivery-blocks"),
    re_path(rf"^{SITE}/blocks/(?P<slug>[^/]+)/?$", views.block_detail, name="delivery-block"),
    re_path(rf"^{SITE}/pages/?$", views.page_detail, name="delivery-page"),
    re_path(rf"^{SITE}/search/?$", views.block_search, name="delivery-search"),
    re_path(rf"^{SITE}/sync/?$", views.sync_feed, name="delivery-sync"),
    re_path(rf"^{SITE}/assets/(?P<asset_id>[^/]+)/rendition/?$", renditions.asset_rendition, name="delivery-rendition"),
]

if cms_setting("BENCH_BASELINE"):
    from delivery.baseline import baseline, round_trip  # optional: only the benchmark serves the bare view

    urlpatterns.insert(0, re_path(r"^_bench/baseline/?$", baseline, name="delivery-bench-baseline"))
    urlpatterns.insert(0, re_path(r"^_bench/round-trip/?$", round_trip, name="delivery-bench-round-trip"))

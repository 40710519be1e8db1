"""The site bundle endpoints (mounted under /api/v1/ by cms.urls)."""

from django.urls import re_path

from bundles import api

urlpatterns = [
    re_path(r"^site/export/?$", api.SiteExportView.as_view(), name="site-export"),
    re_path(r"^site/import/?$", api.SiteImportView.as_view(), name="site-import"),
]

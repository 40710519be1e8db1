"""Root URLs: a landing page at `/`, the admin (editor UI), the management and delivery APIs under /api/v1,
their docs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from cms.landing import landing

urlpatterns = [
    path("", landing, name="landing"),
    path("admin/", admin.site.urls),
    path("api/v1/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="openapi"), name="api-docs"),
    path("api/v1/delivery/", include("delivery.urls")),
    path("api/v1/", include("blocks.api.urls")),
    path("api/v1/", include("scheduling.urls")),
    path("api/v1/", include("webhooks.api.urls")),
    path("api/v1/", include("locales.api.urls")),
    path("api/v1/", include("media.api.urls")),
    path("api/v1/", include("accounts.urls")),
    path("api/v1/", include("releases.api.urls")),
    path("api/v1/", include("reviews.api.urls")),
    path("api/v1/", include("bundles.urls")),
]
if settings.MEDIA_URL.startswith("/"):  # a local path: this process serves the originals (media/views.py)
    urlpatterns.append(path(settings.MEDIA_URL.lstrip("/"), include("media.urls")))

handler400 = "cms.api.exceptions.handler400"
handler403 = "cms.api.exceptions.handler403"
handler404 = "cms.api.exceptions.handler404"
handler500 = "cms.api.exceptions.handler500"

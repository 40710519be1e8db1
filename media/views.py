"""Serving originals from the local file system storage, with headers that keep them inert.

`make run` and a single-host install serve `MEDIA_URL` from this process (as whitenoise does static files),
so nothing else needs setting up. Every answer says `X-Content-Type-Options: nosniff` and carries a
`Content-Security-Policy` of `default-src 'none'` with `sandbox`: even an SVG opened directly runs no script
and loads nothing. Behind a web server (nginx), serve `var/media/` directly with the same two headers and set
`CMS_MEDIA_SERVE=false`. With another storage (`MEDIA_STORAGE_URL=s3://…`) the files' URLs are the storage's
and this view answers 404: it never serves what happens to lie in `MEDIA_ROOT` beside the real storage.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.static import serve

from cms.conf import cms_setting

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    if not cms_setting("MEDIA_SERVE") or not isinstance(default_storage, FileSystemStorage):
        raise Http404("Media are served elsewhere.")
    response = serve(request, path, document_root=str(default_storage.location))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CSP
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # a new file always gets a new name
    return response

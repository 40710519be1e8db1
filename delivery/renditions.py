"""`GET /api/v1/delivery/{site}/assets/{id}/rendition?w=800&fmt=webp[&ar=16:9][&fit=contain][&q=80]`: a rendition.

Answers a 302 to the rendition's file (`MEDIA_URL`), made on the first request and kept (`media.renditions`):
redirecting keeps this process out of serving bytes, and works the same once files live in another storage.
The redirect is cached for a minute (a replaced file makes new renditions under new names); the file itself
for a year. Widths and formats come from a fixed set: anything else is a 400 before any work. Public sites need
no token; private sites a `read` token, as for blocks.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cms import errors
from cms.api.exceptions import json_error_response
from cms.digits import parse_decimal
from delivery import access
from delivery.views import SITE_RE
from media import renditions
from media.models import Asset

ALLOWED_PARAMS = frozenset({"w", "fmt", "ar", "fit", "q"})
CORS = {"Access-Control-Allow-Origin": "*"}


@csrf_exempt
def asset_rendition(request, site: str, asset_id: str) -> HttpResponse:
    try:
        if request.method not in ("GET", "HEAD"):
            raise errors.MethodNotAllowed()
        unknown = sorted(set(request.GET) - ALLOWED_PARAMS)
        if unknown:
            raise errors.BadRequest(
                "Unknown query parameter: " + ", ".join(unknown) + ".",
                fields=dict.fromkeys(unknown, "Unknown query parameter."),
            )
        token_hash = access.token_hash_from(request.META.get("HTTP_AUTHORIZATION", ""))
        token = access.load_token(token_hash) if token_hash else None
        if token_hash is not None:  # judged before the site, as for blocks: the same 401 on every site
            access.check_token(token)
        facts = access.load_site(site) if SITE_RE.match(site) else None
        if facts is None:
            raise access.site_not_found(site[:100])
        access.authorize(facts, token, preview=False)
        asset_pk = parse_decimal(asset_id)
        asset = Asset.objects.filter(site_id=facts.id, pk=asset_pk).first() if asset_pk is not None else None
        if asset is None:
            raise errors.NotFound(f"No asset {asset_id[:30]} in this site.")
        query = request.GET
        spec = renditions.check_request(
            asset, query.get("w"), query.get("fmt"), query.get("ar"), query.get("fit"), query.get("q")
        )
        name = renditions.rendition(asset, spec)
    except errors.CmsError as exc:
        response = json_error_response(exc)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    response = HttpResponse(status=302, headers=CORS)
    response["Location"] = default_storage.url(name)
    response["Cache-Control"] = "public, max-age=60"
    return response

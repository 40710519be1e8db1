"""`/api/v1/locales`: the site's enabled locales, its default and the fallback chains; owners change them.

GET    /locales          every member: `[{code, name, isDefault, fallback, chain}]`, `meta.defaultLocale`
POST   /locales          owners: `{code, name?, fallback?}` enables a locale → 201
PATCH  /locales/{code}   owners: `{fallback?, isDefault?}`
DELETE /locales/{code}   owners: disables it (its blocks are kept, no longer served)
"""

from __future__ import annotations

from rest_framework.response import Response

from accounts.models import Site
from accounts.permissions import Action
from cms.api.views import SiteAPIView, allow_params, read_object
from locales import selectors, services
from locales.api import openapi
from locales.models import SiteLocale


def locale_payload(row: SiteLocale, site: Site, fallbacks: dict[str, str | None]) -> dict:
    code = row.locale.code
    return {
        "code": code,
        "name": row.locale.name or code,
        "isDefault": code == site.default_locale,
        "fallback": row.fallback_code,
        "chain": selectors.locale_chain(site, code, fallbacks=fallbacks),
    }


def locales_response(site: Site, *, status: int = 200, only: str | None = None) -> Response:
    rows = selectors.site_locale_rows(site)
    fallbacks = {row.locale.code: row.fallback_code for row in rows}
    payloads = [locale_payload(row, site, fallbacks) for row in rows]
    if only is not None:
        return Response({"data": next(p for p in payloads if p["code"] == only)}, status=status)
    return Response({"data": payloads, "meta": {"defaultLocale": site.default_locale}}, status=status)


class LocaleCollectionView(SiteAPIView):
    @openapi.list_locales
    def get(self, request):
        allow_params(request)
        self.actor.require(Action.READ)
        return locales_response(self.actor.site)

    @openapi.enable_locale
    def post(self, request):
        allow_params(request)
        body = read_object(request, {"code", "name", "fallback"}, required=("code",))
        row = services.site_locale_enable(
            actor=self.actor, code=body["code"], name=body.get("name"), fallback=body.get("fallback")
        )
        return locales_response(self.actor.site, status=201, only=row.locale.code)


class LocaleDetailView(SiteAPIView):
    @openapi.update_locale
    def patch(self, request, code: str):
        allow_params(request)
        body = read_object(request, {"fallback", "isDefault"})
        row = services.site_locale_update(actor=self.actor, code=code, changes=body)
        return locales_response(self.actor.site, only=row.locale.code)

    @openapi.disable_locale
    def delete(self, request, code: str):
        allow_params(request)
        services.site_locale_disable(actor=self.actor, code=code)
        return Response({"message": "Locale disabled"})

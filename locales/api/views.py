"""`/api/v1/locales`: the site's enabled locales, its default and the fallback chains; owners change them.

GET    /locales          every member: `[{code, name, isDefault, fallback, chain}]`, `meta.defaultLocale`
POST   /locales          owners: `{code, name?, fallback?}` enables a locale → 201
PATCH  /locales/{code}   owners: `{fallback?, isDefault?}`
DELETE /locales/{code}   owners: disables it (its blocks are kept, no longer served)
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api import SiteAPIView
from accounts.models import Site
from accounts.permissions import Action
from cms import errors
from cms.api.openapi import envelope, message_answer
from cms.api.serializers import InputSerializer, TypedBoolean, TypedString, parse_body
from cms.api.views import allow_params
from locales import selectors, services
from locales.codes import CODE_MESSAGE
from locales.models import SiteLocale


class SiteLocaleSerializer(serializers.Serializer):
    """A locale the site enables (the shape `locale_payload` builds)."""

    code = serializers.CharField(help_text="Like `fr-CA`.")
    name = serializers.CharField()
    isDefault = serializers.BooleanField()
    fallback = serializers.CharField(allow_null=True)
    chain = serializers.ListField(child=serializers.CharField(), help_text="Locales tried in order.")


LocaleAnswer = envelope("SiteLocaleAnswer", SiteLocaleSerializer())
LocaleList = envelope(
    "SiteLocaleList",
    SiteLocaleSerializer(many=True),
    meta=serializers.DictField(help_text="`{defaultLocale}`."),
)
LocaleDisabled = message_answer("LocaleDisabled", "Locale disabled")


class LocaleEnableInput(InputSerializer):
    """A locale to enable. Needs `context={"actor": …}`."""

    code = TypedString(message=CODE_MESSAGE, help_text="A BCP 47 code, like `fr-CA`.")
    name = TypedString(required=False, allow_null=True)
    fallback = TypedString(required=False, allow_null=True, message=CODE_MESSAGE)

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        # The service names one problem at a time, in the order code, name, fallback: the values before the
        # first one of the wrong type are checked by the service's own rules, then that one is named alone.
        self.context["actor"].require(Action.MANAGE)
        first = next(key for key in ("code", "name", "fallback") if key in unreadable)
        if first != "code":
            services.locale_code(values["code"], "code")
        if first == "fallback":
            services.check_locale_name(values.get("name"))
        raise errors.ValidationFailed(fields={first: cast(TypedString, self.fields[first]).message})


class LocaleUpdateInput(InputSerializer):
    """A change of the locale `context["code"]` (from the URL). Needs `context={"actor": …, "code": …}`."""

    fallback = TypedString(required=False, allow_null=True, message=CODE_MESSAGE)
    isDefault = TypedBoolean(
        source="make_default", required=False, message=services.ONLY_TRUE, help_text="Only `true`: make it the default."
    )

    def answer_problems(
        self, type_problems: dict[str, str], values: dict[str, Any], unreadable: set[str]
    ) -> dict[str, str]:
        problems = super().answer_problems(type_problems, values, unreadable)
        return {key: problems[key] for key in ("isDefault", "fallback") if key in problems}  # the service's order

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        self.context["actor"].require(Action.MANAGE)
        services.locale_code(self.context["code"], "code")  # the URL's code is named alone, before the body
        try:
            services.check_update_values(**values)
        except errors.ValidationFailed as exc:
            return {self.api_name(path): message for path, message in (exc.fields or {}).items()}
        return {}


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


class LocaleView(SiteAPIView):
    openapi_tag = "locales"


class LocaleCollectionView(LocaleView):
    @extend_schema(
        operation_id="locales.list",
        responses={200: OpenApiResponse(LocaleList, description="Every enabled locale.")},
    )
    def get(self, request):
        """The site's enabled locales, default and fallbacks"""
        allow_params(request)
        self.actor.require(Action.READ)
        return locales_response(self.actor.site)

    @extend_schema(
        operation_id="locales.enable",
        request=LocaleEnableInput,
        responses={201: OpenApiResponse(LocaleAnswer, description="The enabled locale.")},
    )
    def post(self, request):
        """Enable a locale (owners)"""
        allow_params(request)
        body = parse_body(LocaleEnableInput(context={"actor": self.actor}), request)
        row = services.site_locale_enable(
            actor=self.actor, code=body["code"], name=body.get("name"), fallback=body.get("fallback")
        )
        return locales_response(self.actor.site, status=201, only=row.locale.code)


class LocaleDetailView(LocaleView):
    @extend_schema(
        operation_id="locales.update",
        request=LocaleUpdateInput,
        responses={200: OpenApiResponse(LocaleAnswer, description="The locale.")},
    )
    def patch(self, request, code: str):
        """Change a locale's fallback, or make it the default (owners)"""
        allow_params(request)
        serializer = LocaleUpdateInput(context={"actor": self.actor, "code": code})
        changes = parse_body(serializer, request)
        with serializer.api_names():
            row = services.site_locale_update(actor=self.actor, code=code, **changes)
        return locales_response(self.actor.site, only=row.locale.code)

    @extend_schema(
        operation_id="locales.disable",
        responses={200: OpenApiResponse(LocaleDisabled, description="Disabled.")},
    )
    def delete(self, request, code: str):
        """Disable a locale (owners); its blocks are kept but no longer served"""
        allow_params(request)
        services.site_locale_disable(actor=self.actor, code=code)
        return Response({"message": "Locale disabled"})

"""OpenAPI descriptions of `/api/v1/locales` (errors and headers are added by `cms.api.openapi`)."""

from __future__ import annotations

from cms.api.openapi import SITE, answer, body, data_of, operation, register_components

LOCALE_ROW = {
    "type": "object",
    "required": ["code", "name", "isDefault", "fallback", "chain"],
    "properties": {
        "code": {"type": "string", "example": "fr-CA"},
        "name": {"type": "string"},
        "isDefault": {"type": "boolean"},
        "fallback": {"type": "string", "nullable": True},
        "chain": {"type": "array", "items": {"type": "string"}, "description": "Locales tried in order."},
    },
}
register_components({"SiteLocale": LOCALE_ROW})
ROW = {"$ref": "#/components/schemas/SiteLocale"}

list_locales = operation(
    "locales.list",
    tag="locales",
    summary="The site's enabled locales, default and fallbacks",
    parameters=[SITE],
    responses={
        200: answer(
            data_of(
                {"type": "array", "items": ROW},
                meta={"type": "object", "properties": {"defaultLocale": {"type": "string"}}},
            ),
            "Every enabled locale.",
        )
    },
)
enable_locale = operation(
    "locales.enable",
    tag="locales",
    summary="Enable a locale (owners)",
    parameters=[SITE],
    request=body(
        {"code": {"type": "string"}, "name": {"type": "string"}, "fallback": {"type": "string", "nullable": True}},
        ["code"],
    ),
    responses={201: answer(data_of(ROW), "The enabled locale.")},
)
update_locale = operation(
    "locales.update",
    tag="locales",
    summary="Change a locale's fallback, or make it the default (owners)",
    parameters=[SITE],
    request=body({"fallback": {"type": "string", "nullable": True}, "isDefault": {"type": "boolean"}}),
    responses={200: answer(data_of(ROW), "The locale.")},
)
disable_locale = operation(
    "locales.disable",
    tag="locales",
    summary="Disable a locale (owners); its blocks are kept but no longer served",
    parameters=[SITE],
    responses={
        200: answer(
            {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}, "Disabled."
        )
    },
)

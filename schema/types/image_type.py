"""`image`: `{"url", "alt"?, "width"?, "height"?}`, or `{"asset": id, "alt"?}` (a media library asset, see
`asset_ref`); `url` as for a `url` field with its defaults; `requireAlt` makes a non-empty `alt` mandatory
(accessibility is checked on every save, not only publish; for an asset, its own alt text counts)."""

from __future__ import annotations

from typing import Any

from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.options import opt_bool
from schema.types.asset_ref import ASSET_MESSAGE, asset_or, stored_form
from schema.types.url_type import url_message, url_schema

_DIMENSION = {"type": "integer", "minimum": 0}
_SUBKEY_EXPECTED = {"alt": "a string", "width": "a whole number", "height": "a whole number"}
_ALT = {"type": "string", "maxLength": 1000}


class ImageType(FieldType):
    name = "image"
    options = frozenset({"requireAlt"})
    localized_default = True
    expected = 'an object {"url", "alt"?, "width"?, "height"?} or {"asset", "alt"?}'

    def check_options(self, field: dict, report: Report) -> None:
        opt_bool(field, "requireAlt", report)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        alt: dict = {"type": "string", "maxLength": 1000}
        required = ["url"]
        if field.get("requireAlt"):
            alt["minLength"] = 1
            required.append("alt")
        url_form = {
            "properties": {"url": url_schema({}), "alt": alt, "width": _DIMENSION, "height": _DIMENSION},
            "required": required,
            "additionalProperties": False,
        }
        return asset_or(url_form, alt=_ALT)

    def needs_normalize(self, field: dict) -> bool:
        return True

    def normalize(self, field: dict, value: Any) -> Any:
        return stored_form(value, ("alt",))

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if rest and rest[0] == "asset":
            return ASSET_MESSAGE
        if rest and rest[0] == "url":
            return url_message({}, kind, detail)
        if rest and rest[0] == "alt" and kind in ("MinLength", "Required"):
            return "Alt text is required for this image."
        if rest:
            return generic_message(kind, detail, _SUBKEY_EXPECTED.get(rest[0], "a valid value"))
        return generic_message(kind, detail, self.expected)

"""`url`: an absolute URL with an allowed scheme (http and https unless `schemes` says more), or a path
starting with `/` (`allowRelative`, default true: the reference's nav links use `/` and `/blog`).

The scheme rule is a regex in the compiled JSON Schema (see `schema.patterns`), not the `uri`
format: `uri` accepts `javascript:` and `data:`, which must never reach a page.
"""

from __future__ import annotations

from typing import Any

from schema import patterns
from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.options import opt_bool, opt_string_list

MAX_LENGTH = 2048


def url_schema(field: dict) -> dict:
    """The JSON Schema of a URL string; also used for the `url` key of image and file values."""
    schemes = tuple(s.lower() for s in field.get("schemes", patterns.DEFAULT_SCHEMES))
    relative = field.get("allowRelative", True)
    return {"type": "string", "maxLength": MAX_LENGTH, "pattern": patterns.url_pattern(schemes, relative)}


def url_message(field: dict, kind: str, detail: dict) -> str:
    if kind in ("Type", "Pattern"):
        schemes = [s.lower() for s in field.get("schemes", patterns.DEFAULT_SCHEMES)]
        return patterns.url_message(schemes, field.get("allowRelative", True))
    return generic_message(kind, detail, "a string")


class UrlType(FieldType):
    name = "url"
    options = frozenset({"allowRelative", "schemes"})
    localized_default = True
    expected = "a URL"

    def check_options(self, field: dict, report: Report) -> None:
        opt_bool(field, "allowRelative", report)
        schemes = opt_string_list(field, "schemes", report)
        for i, scheme in enumerate(schemes or []):
            if scheme.lower() not in patterns.ALLOWED_SCHEMES:
                allowed = ", ".join(patterns.ALLOWED_SCHEMES)
                report(f"schemes[{i}]", f"Scheme {scheme!r} is not allowed; allowed: {allowed}.")

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return url_schema(field)

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        return url_message(field, kind, detail)

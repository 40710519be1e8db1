"""`richtext`: a string of HTML, sanitised with nh3 on every write (scripts, event handlers and
`javascript:` URLs removed); at most 200,000 characters after sanitising."""

from __future__ import annotations

from typing import Any

from schema.fieldtype import CompileContext, FieldType, Report
from schema.options import opt_length_range
from schema.sanitize import sanitize_html

CAP = 200_000


class RichTextType(FieldType):
    name = "richtext"
    options = frozenset({"maxLength"})
    localized_default = True
    expected = "a string of HTML"

    def check_options(self, field: dict, report: Report) -> None:
        opt_length_range(field, report, cap=CAP, has_min=False)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return {"type": "string", "maxLength": field.get("maxLength", CAP), "contentMediaType": "text/html"}

    def non_empty(self, fragment: dict, field: dict) -> dict:
        return {**fragment, "minLength": 1}

    def needs_normalize(self, field: dict) -> bool:
        return True

    def normalize(self, field: dict, value: Any) -> Any:
        return sanitize_html(value) if isinstance(value, str) else value

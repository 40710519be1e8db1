"""`text`: multi-line plain text, at most 50,000 characters."""

from __future__ import annotations

from schema.fieldtype import CompileContext, FieldType, Report
from schema.options import opt_length_range

CAP = 50_000


class TextType(FieldType):
    name = "text"
    options = frozenset({"minLength", "maxLength"})
    localized_default = True
    expected = "a string"

    def check_options(self, field: dict, report: Report) -> None:
        opt_length_range(field, report, cap=CAP)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        out: dict = {"type": "string", "maxLength": field.get("maxLength", CAP)}
        if "minLength" in field:
            out["minLength"] = field["minLength"]
        return out

    def non_empty(self, fragment: dict, field: dict) -> dict:
        return {**fragment, "minLength": max(1, fragment.get("minLength", 0))}

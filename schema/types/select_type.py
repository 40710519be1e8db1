"""`select`: one of the option values."""

from __future__ import annotations

from schema.fieldtype import CompileContext, FieldType, Report
from schema.options import choice_values, opt_choices


class SelectType(FieldType):
    name = "select"
    options = frozenset({"options"})
    expected = "one of the options"

    def check_options(self, field: dict, report: Report) -> None:
        opt_choices(field, report)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return {"enum": choice_values(field["options"])}

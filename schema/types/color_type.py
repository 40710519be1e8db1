"""`color`: `#RGB`, `#RRGGBB` or (unless `alpha` is false) `#RRGGBBAA`."""

from __future__ import annotations

from typing import Any

from schema import patterns
from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.options import opt_bool


class ColorType(FieldType):
    name = "color"
    options = frozenset({"alpha"})
    expected = "a colour"

    def check_options(self, field: dict, report: Report) -> None:
        opt_bool(field, "alpha", report)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return {"type": "string", "pattern": patterns.color_pattern(field.get("alpha", True))}

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if kind in ("Type", "Pattern"):
            forms = "#RGB, #RRGGBB or #RRGGBBAA" if field.get("alpha", True) else "#RGB or #RRGGBB"
            return f"Must be a colour as {forms}."
        return generic_message(kind, detail, self.expected)

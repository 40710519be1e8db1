"""`multiselect`: a list of option values without duplicates, with `minItems` / `maxItems`."""

from __future__ import annotations

from schema.fieldtype import CompileContext, FieldType, Report
from schema.options import choice_values, opt_choices, opt_int, opt_min_max


class MultiSelectType(FieldType):
    name = "multiselect"
    options = frozenset({"options", "minItems", "maxItems"})
    expected = "a list of option values"

    def check_options(self, field: dict, report: Report) -> None:
        values = opt_choices(field, report)
        count = len(values) if values else None
        lo = opt_int(field, "minItems", report, maximum=count)
        hi = opt_int(field, "maxItems", report, minimum=1, maximum=count)
        opt_min_max(lo, hi, "maxItems", "minItems", report)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        out: dict = {"type": "array", "items": {"enum": choice_values(field["options"])}, "uniqueItems": True}
        for key in ("minItems", "maxItems"):
            if key in field:
                out[key] = field[key]
        return out

    def non_empty(self, fragment: dict, field: dict) -> dict:
        return {**fragment, "minItems": max(1, fragment.get("minItems", 0))}

"""`array`: a list, of `items` (a field definition without a name) or, without `items`, of any JSON values
(the reference's `navLinks`); `minItems`, `maxItems` (at most 1,000, which is also the cap without it)."""

from __future__ import annotations

from schema.fieldtype import CompileContext, FieldType, Report
from schema.options import opt_int, opt_min_max

CAP = 1_000


class ArrayType(FieldType):
    name = "array"
    options = frozenset({"items", "minItems", "maxItems"})
    container = True
    expected = "a list"

    # `items` (a definition checked like a field, without a name) is checked by `schema.checks`.

    def check_options(self, field: dict, report: Report) -> None:
        lo = opt_int(field, "minItems", report, maximum=CAP)
        hi = opt_int(field, "maxItems", report, minimum=1, maximum=CAP)
        opt_min_max(lo, hi, "maxItems", "minItems", report)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        out: dict = {"type": "array", "maxItems": field.get("maxItems", CAP)}
        if "minItems" in field:
            out["minItems"] = field["minItems"]
        if "items" in field:
            out["items"] = ctx.items(field["items"])
        return out

    def non_empty(self, fragment: dict, field: dict) -> dict:
        return {**fragment, "minItems": max(1, fragment.get("minItems", 0))}

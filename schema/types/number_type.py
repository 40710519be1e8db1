"""`number`: a JSON number (never a boolean), with `min`, `max`, `integer` and `step`; whatever they say, its
magnitude is at most 2^53 - 1 (`schema.limits`).

`step` counts from `min` (or from 0 without one), as in an HTML number input, and is checked in decimal
arithmetic (`0.3` is a multiple of `0.1`), which JSON Schema's binary `multipleOf` gets wrong; so it is an
extra check, carried to clients in `x-cms.step`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.limits import MAX_SAFE_INTEGER
from schema.options import opt_bool, opt_min_max, opt_number


class NumberType(FieldType):
    name = "number"
    options = frozenset({"min", "max", "integer", "step"})
    expected = "a number"

    def check_options(self, field: dict, report: Report) -> None:
        lo = opt_number(field, "min", report)
        hi = opt_number(field, "max", report)
        opt_min_max(lo, hi, "max", "min", report)
        opt_bool(field, "integer", report)
        step = opt_number(field, "step", report)
        if step is not None and step <= 0:
            report("step", "Must be greater than 0.")

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        # Without `min`/`max`, the bounds every number keeps (`schema.limits`), so a client validating with the
        # served schema refuses what the server refuses.
        return {
            "type": "integer" if field.get("integer") else "number",
            "minimum": field.get("min", -MAX_SAFE_INTEGER),
            "maximum": field.get("max", MAX_SAFE_INTEGER),
        }

    def annotations(self, field: dict) -> dict:
        return {"step": field["step"]} if "step" in field else {}

    def needs_extra_check(self, field: dict) -> bool:
        return "step" in field

    def engine_check(self, field: dict) -> dict:
        # jsonschema-rs's `multipleOf` is decimal-exact (0.3 is a multiple of 0.1), so when the steps start
        # at a multiple of the step (no `min`, or `min` on the grid) it is the whole rule. It costs about a
        # microsecond for a fractional step, though, so when every whole number is on the grid (steps such as
        # 0.5 or 0.01) whole numbers are let through first, at the price of a type check.
        try:
            step = Decimal(repr(field["step"]))
            if Decimal(repr(field.get("min", 0))) % step == 0:
                if step == step.to_integral_value() or Decimal(1) % step != 0:
                    return {"multipleOf": field["step"]}
                return {"anyOf": [{"type": "integer"}, {"multipleOf": field["step"]}]}
        except InvalidOperation:
            pass
        return super().engine_check(field)

    def extra_check(self, field: dict, value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        try:
            base = Decimal(repr(field.get("min", 0)))
            if (Decimal(repr(value)) - base) % Decimal(repr(field["step"])) != 0:
                start = f" from {field['min']}" if "min" in field else ""
                return f"Must be a multiple of {field['step']}{start}."
        except InvalidOperation:
            return None
        return None

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if kind == "Type" and field.get("integer"):
            return "Must be a whole number."
        return generic_message(kind, detail, self.expected)

"""`date`: `YYYY-MM-DD`, with `min` / `max` (inclusive; an extra check, carried in `x-cms`)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from schema import patterns
from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.options import opt_min_max

_DATE = re.compile(patterns.DATE)


def parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _bound(text: str) -> date:
    """A field's `min` / `max`, parsed once (they are the same on every call). `check_options` made sure it
    parses."""
    day = parse_date(text)
    assert day is not None, f"unchecked bound {text!r}"
    return day


class DateType(FieldType):
    name = "date"
    options = frozenset({"min", "max"})
    expected = "a date"

    def check_options(self, field: dict, report: Report) -> None:
        bounds = {}
        for key in ("min", "max"):
            if key in field:
                bounds[key] = parse_date(field[key])
                if bounds[key] is None:
                    report(key, "Must be a date as YYYY-MM-DD.")
        opt_min_max(bounds.get("min"), bounds.get("max"), "max", "min", report)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return {"type": "string", "pattern": patterns.DATE, "format": "date"}

    def annotations(self, field: dict) -> dict:
        return {key: field[key] for key in ("min", "max") if key in field}

    def needs_extra_check(self, field: dict) -> bool:
        return "min" in field or "max" in field

    def engine_check(self, field: dict) -> dict:
        # For valid YYYY-MM-DD strings, text order is date order: the bounds are two prefix regexes.
        bounds = []
        if "min" in field:
            bounds.append({"pattern": patterns.at_least(field["min"])})
        if "max" in field:
            bounds.append({"pattern": patterns.at_most(field["max"])})
        return {"allOf": bounds}

    def extra_check(self, field: dict, value: Any) -> str | None:
        day = parse_date(value)
        if day is None:
            return None
        if "min" in field and day < _bound(field["min"]):
            return f"Must be on or after {field['min']}."
        if "max" in field and day > _bound(field["max"]):
            return f"Must be on or before {field['max']}."
        return None

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if kind in ("Type", "Pattern", "Format"):
            return "Must be a date as YYYY-MM-DD."
        return generic_message(kind, detail, self.expected)

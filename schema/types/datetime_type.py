"""`datetime`: RFC 3339 (ISO 8601 with seconds and an offset or `Z`), stored as given; `min` / `max` are
compared in UTC (an extra check, carried in `x-cms`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from schema import patterns
from schema.fieldtype import CompileContext, FieldType, Report, generic_message
from schema.options import opt_min_max

_DATETIME = re.compile(patterns.DATETIME)
MESSAGE = "Must be a date and time with an offset or Z, such as 2025-04-06T12:00:00Z."


def parse_datetime(value: object) -> datetime | None:
    """The instant `value` names, in UTC; None unless it is an RFC 3339 date-time."""
    if not isinstance(value, str) or not _DATETIME.match(value):
        return None
    text = value.upper().replace("Z", "+00:00")
    if text[17:19] == "60":  # a leap second: Python has none, the instant is the last second of the minute
        text = text[:17] + "59" + text[19:]
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


@lru_cache(maxsize=1024)
def _bound(text: str) -> datetime:
    """A field's `min` / `max`, parsed once (they are the same on every call). `check_options` made sure it
    parses."""
    instant = parse_datetime(text)
    assert instant is not None, f"unchecked bound {text!r}"
    return instant


class DateTimeType(FieldType):
    name = "datetime"
    options = frozenset({"min", "max"})
    expected = "a date and time"

    def check_options(self, field: dict, report: Report) -> None:
        bounds = {}
        for key in ("min", "max"):
            if key in field:
                bounds[key] = parse_datetime(field[key])
                if bounds[key] is None:
                    report(key, MESSAGE)
        opt_min_max(bounds.get("min"), bounds.get("max"), "max", "min", report)

    def compile(self, field: dict, ctx: CompileContext) -> dict:
        return {"type": "string", "pattern": patterns.DATETIME, "format": "date-time"}

    def annotations(self, field: dict) -> dict:
        return {key: field[key] for key in ("min", "max") if key in field}

    def needs_extra_check(self, field: dict) -> bool:
        return "min" in field or "max" in field

    def engine_check(self, field: dict) -> dict:
        # Offsets are less than a day, so a local date two days inside the bounds is inside them whatever the
        # offset: such values (nearly all) pass on a date-prefix regex in Rust; the rest are compared in UTC
        # by `extra_check`, called back through the `x-cms-check` keyword.
        clearly_inside = []
        try:
            if "min" in field:
                day = _bound(field["min"]).date() + timedelta(days=2)
                clearly_inside.append({"pattern": patterns.at_least(day.isoformat())})
            if "max" in field:
                day = _bound(field["max"]).date() - timedelta(days=2)
                clearly_inside.append({"pattern": patterns.at_most(day.isoformat())})
        except OverflowError:
            return super().engine_check(field)
        return {"anyOf": [{"allOf": clearly_inside}, super().engine_check(field)]}

    def extra_check(self, field: dict, value: Any) -> str | None:
        instant = parse_datetime(value)
        if instant is None:
            return None
        if "min" in field and instant < _bound(field["min"]):
            return f"Must be at or after {field['min']}."
        if "max" in field and instant > _bound(field["max"]):
            return f"Must be at or before {field['max']}."
        return None

    def message(self, field: dict, kind: str, detail: dict, rest: tuple, instance: Any) -> str:
        if kind in ("Type", "Pattern", "Format"):
            return MESSAGE
        return generic_message(kind, detail, self.expected)

"""Small checks that field types share when they check their own options (see `FieldType.check_options`).

Each helper looks at one key of a field definition, reports `report(key, message)` when the value is wrong,
and returns the value when it can be used (so a type can compare `minLength` with `maxLength` safely).
"""

from __future__ import annotations

from typing import Any

from schema.fieldtype import Report


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def opt_bool(field: dict, key: str, report: Report) -> bool | None:
    if key not in field:
        return None
    value = field[key]
    if not isinstance(value, bool):
        report(key, "Must be true or false.")
        return None
    return value


def opt_int(field: dict, key: str, report: Report, *, minimum: int = 0, maximum: int | None = None) -> int | None:
    if key not in field:
        return None
    value = field[key]
    if not is_int(value):
        report(key, "Must be a whole number.")
        return None
    if value < minimum:
        report(key, f"Must be at least {minimum}.")
        return None
    if maximum is not None and value > maximum:
        report(key, f"Must be at most {maximum}.")
        return None
    return value


def opt_number(field: dict, key: str, report: Report) -> float | int | None:
    if key not in field:
        return None
    value = field[key]
    if not is_number(value) or value != value or value in (float("inf"), float("-inf")):
        report(key, "Must be a number.")
        return None
    return value


def opt_min_max(lo: Any, hi: Any, hi_key: str, lo_key: str, report: Report) -> None:
    """Report an empty range (`lo` > `hi`) on the upper bound's key."""
    if lo is not None and hi is not None and lo > hi:
        report(hi_key, f"Must not be less than {lo_key}.")


def opt_length_range(field: dict, report: Report, *, cap: int, has_min: bool = True) -> None:
    """`minLength` / `maxLength` of the string-like types: whole numbers, `maxLength` at most `cap`."""
    lo = opt_int(field, "minLength", report, maximum=cap) if has_min else None
    hi = opt_int(field, "maxLength", report, minimum=1, maximum=cap)
    opt_min_max(lo, hi, "maxLength", "minLength", report)


def opt_string_list(field: dict, key: str, report: Report) -> list[str] | None:
    """A non-empty list of non-empty strings without duplicates (errors name the item: `accept[2]`)."""
    if key not in field:
        return None
    value = field[key]
    if not isinstance(value, list) or not value:
        report(key, "Must be a non-empty list of strings.")
        return None
    ok = True
    seen: set[str] = set()
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            report(f"{key}[{i}]", "Must be a non-empty string.")
            ok = False
        elif item.lower() in seen:
            report(f"{key}[{i}]", f"Duplicate value {item!r}.")
            ok = False
        else:
            seen.add(item.lower())
    return value if ok else None


def choice_values(options: list) -> list[str]:
    """The values of a checked `options` list (items are `"value"` or `{"value", "label"}`)."""
    return [o["value"] if isinstance(o, dict) else o for o in options]


def opt_choices(field: dict, report: Report) -> list[str] | None:
    """select / multiselect `options`: required, non-empty, each `"value"` or `{"value", "label"?}`, unique."""
    if "options" not in field:
        report("options", "Is required for this type: a non-empty list of values.")
        return None
    options = field["options"]
    if not isinstance(options, list) or not options:
        report("options", 'Must be a non-empty list of "value" or {"value", "label"}.')
        return None
    ok = True
    seen: set[str] = set()
    for i, option in enumerate(options):
        where = f"options[{i}]"
        value = option
        if isinstance(option, dict):
            unknown = sorted(set(option) - {"value", "label"})
            for key in unknown:
                report(f"{where}.{key}", "Unknown key.")
            if "label" in option and not isinstance(option["label"], str):
                report(f"{where}.label", "Must be a string.")
                ok = False
            if "value" not in option:
                report(f"{where}.value", "Is required.")
                ok = False
                continue
            value, where = option["value"], f"{where}.value"
            ok = ok and not unknown
        if not isinstance(value, str) or not value or len(value) > 255:
            report(where, "Must be a non-empty string of at most 255 characters.")
            ok = False
        elif value in seen:
            report(where, f"Duplicate option value {value!r}.")
            ok = False
        else:
            seen.add(value)
    return choice_values(options) if ok else None

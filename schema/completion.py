"""Completion of one copy's data (docs/fields.md "Completion"): how much of the schema is filled in.

Every field of the schema is counted once per place it has in the data (a field of a list's items once per
item); an object is a group, counted only when it is itself `required`. A field is filled when it holds a
value that is not empty (`""`, `[]`, `{}`, `null` or absent are not). What is *required and missing* is not
worked out here: it is the publish rule itself (`CompiledSchema.validate(data, publish=True)`, whose
"present and non-empty" message marks a missing required value), so the required percentage reaches 100
exactly when publishing stops refusing the block for a missing field. A required field inside an object
that is absent and not required itself is not enforced by that rule, so it counts as optional here too.

Values that are filled but say nothing (a string of spaces, rich text without text) are warnings. Pure: no
queries; the schema's compiled form is cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from schema.compiler import REQUIRED_MESSAGE, compiled_for
from schema.labels import SEPARATOR, field_label
from schema.paths import format_path

MISSING: Any = object()
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"(\s|&nbsp;|&#160;)*")
BLANK = "Only spaces: the value shows nothing."
EMPTY = "Present but empty."


@dataclass(frozen=True)
class Unit:
    """One counted place: its data path, its readable label path, whether the publish rule requires it, and
    its value (MISSING when absent)."""

    path: str
    label: str
    required: bool
    value: Any
    type: str


def _is_object_list(field: dict) -> bool:
    items = field.get("items")
    return field.get("type") == "array" and isinstance(items, dict) and items.get("type") == "object"


def units(
    fields: list[dict], value: Any, parts: tuple = (), labels: tuple = (), *, enforced: bool = True
) -> Iterator[Unit]:
    """The counted places of `fields` in `value` (see the module docstring). `enforced`: the publish rule
    checks `required` here (the top level, or inside an object or item that is present)."""
    node = value if isinstance(value, dict) else {}
    for field in fields:
        if not isinstance(field, dict) or field.get("type") == "dataSource":
            continue
        name = field["name"]
        here, label = (*parts, name), (*labels, field_label(field))
        got = node.get(name, MISSING)
        required = enforced and bool(field.get("required"))
        unit = Unit(format_path("data", here), SEPARATOR.join(label), required, got, str(field.get("type")))
        if field.get("type") == "object":
            if required:
                yield unit
            yield from units(field.get("fields", []), got, here, label, enforced=isinstance(got, dict))
            continue
        yield unit
        if _is_object_list(field) and isinstance(got, list):
            item_fields = field["items"].get("fields", [])
            for i, item in enumerate(got):
                yield from units(item_fields, item, (*here, i), (*label, str(i + 1)), enforced=isinstance(item, dict))


def is_filled(value: Any) -> bool:
    return value is not MISSING and value is not None and (isinstance(value, bool) or value not in ("", [], {}))


def warning(unit: Unit) -> str | None:
    """Why a present value says nothing, or None."""
    value = unit.value
    if value is MISSING or value is None:
        return None
    if value in ("", [], {}) and not isinstance(value, bool):
        return EMPTY
    if isinstance(value, str):
        text = _TAG.sub("", value) if unit.type == "richtext" else value
        if _SPACE.fullmatch(text):
            return BLANK
    return None


def _percent(filled: int, total: int) -> int:
    """Rounded down, so 100 means complete."""
    return 100 if total == 0 else filled * 100 // total


def completion(schema: list[dict], data: dict) -> dict:
    """`meta.completion` of one copy: the required and overall percentages, what is missing, the warnings."""
    problems = compiled_for(schema).validate(data if isinstance(data, dict) else {}, publish=True)
    missing_required = {path for path, message in problems.items() if message == REQUIRED_MESSAGE}
    counted = list(units(schema, data))
    required = [u for u in counted if u.required]
    # From the publish rule: its count of missing values wins should it ever see one this walk does not.
    required_total = max(len(required), len(missing_required))
    filled = sum(1 for u in counted if (u.path not in missing_required if u.required else is_filled(u.value)))
    labels = {u.path: u.label for u in counted}
    return {
        "required": _part(required_total - len(missing_required), required_total),
        "all": _part(filled, len(counted)),
        "missingRequired": [
            {"path": path, "label": labels.get(path, path)} for path in problems if path in missing_required
        ],
        "missingOptional": [
            {"path": u.path, "label": u.label} for u in counted if not u.required and not is_filled(u.value)
        ],
        "warnings": [
            {"path": u.path, "label": u.label, "message": message}
            for u in counted
            if (message := warning(u)) is not None and u.path not in missing_required
        ],
    }


def _part(filled: int, total: int) -> dict:
    return {"filled": filled, "total": total, "percent": _percent(filled, total)}

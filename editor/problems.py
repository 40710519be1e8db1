"""The error summary at the top of the block page, and the label paths it speaks in.

A save or a publish that fails shows every problem twice: beside its field (`editor.widgets`, tied to the
control by `aria-describedby`) and in this summary, which counts them ("3 problems") and links each to its
field, named the way the editor sees it: labels and 1-based row numbers joined by a right-pointing angle
quote ("Plans, 2, Plan name" so joined), never the API's `data.plans[1].planName`. editor.js focuses the
first problem on load and makes each link move focus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from editor.controls import field_label
from editor.widgets import widget_for

SEPARATOR = " \u203a "  # a right-pointing angle quote, as in the admin's breadcrumbs
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


#: form-wide messages that only point at the marked fields: the summary lists those fields instead
#: the form-level line that points at the content's own errors (editor.forms), not a problem of its own
DATA_POINTER = "Some content fields need attention; see the marked fields below."
POINTERS = {DATA_POINTER}


@dataclass(frozen=True)
class Problem:
    label: str  # where, in the editor's words
    message: str
    anchor: str  # the id of the element the link moves focus to


def parse_path(path: str) -> tuple[str | int, ...]:
    """`data.plans[1].planName` -> `("plans", 1, "planName")` (the prefix before the first step is dropped)."""
    start = min((i for i in (path.find("."), path.find("[")) if i >= 0), default=len(path))
    return tuple(int(index) if index else name for name, index in _STEP.findall(path[start:]))


def label_path(schema: list, parts: tuple[str | int, ...]) -> str:
    """The readable path of a place in the data: field labels, and row numbers counted from 1."""
    words: list[str] = []
    fields: list[Any] = schema
    field: dict | None = None
    for part in parts:
        if isinstance(part, int):
            words.append(str(part + 1))
            items = (field or {}).get("items") or {}
            fields = items.get("fields") or [] if items.get("type") == "object" else []
            continue
        found = next((f for f in fields if isinstance(f, dict) and f.get("name") == part), None)
        if found is None:  # a sub-value of an image or file, or a key the schema no longer has
            sub = dict((key, label) for key, label, _ in getattr(widget_for_or_none(field), "parts", ()))
            words.append(sub.get(part) or str(part))
            fields, field = [], None
            continue
        words.append(field_label(found))
        field = found
        fields = found.get("fields") or [] if found.get("type") == "object" else []
    return SEPARATOR.join(words) or "Content"


def widget_for_or_none(field: dict | None) -> Any:
    try:
        return widget_for(field["type"]) if field else None
    except KeyError:
        return None


def summary(
    *,
    form_errors: dict[str, list[str]],
    labels: dict[str, str],
    schema: list,
    data_placed: list[tuple[str, str]],
    data_errors: dict[str, str],
    leftovers: dict[str, str],
    schema_errors: dict[str, str],
) -> list[Problem]:
    """Every problem of the page, in page order: the block's own fields, the content, then the schema."""
    problems: list[Problem] = [
        Problem("", message, "") for message in form_errors.get("__all__", []) if message not in POINTERS
    ]
    for name, messages in form_errors.items():
        if name in ("__all__", "schema_json"):
            continue
        problems += [Problem(labels.get(name, name), message, f"id_{name}") for message in messages]
    for path, anchor in data_placed:
        problems.append(Problem(label_path(schema, parse_path(path)), data_errors[path], anchor))
    for path, message in leftovers.items():
        problems.append(Problem(label_path(schema, parse_path(path)), message, "cms-content"))
    for path, message in schema_errors.items():
        problems.append(Problem(f"Schema{SEPARATOR}{path}", message, "cms-schema"))
    return problems

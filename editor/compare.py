"""Two states of a block side by side, as an editor reads them: every change down to the leaf, inside lists
too (the price of plan 2: 9 to 12), named by the fields' labels, and the schema's fields added, removed or
changed. The history page's "Compare" (editor/history.py) shows it for any two revisions, or a revision and the
working copy.

Why not `revisions.diff`: its change lists are what revisions store and the API returns, where a list is one
entry ("3 items"); an editor comparing two versions needs to see which row changed and how.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.html import strip_tags

from editor.problems import label_path
from schema.labels import field_label

_MISSING = object()


@dataclass(frozen=True)
class Change:
    label: str  # the label path, as the error summary writes it
    path: str  # "data.plans[1].price", for tests and anchors
    before: Any  # None when the value appeared
    after: Any  # None when the value went away

    @property
    def shown_before(self) -> str:
        return shown(self.before)

    @property
    def shown_after(self) -> str:
        return shown(self.after)

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


def shown(value: Any) -> str:
    """A value as a line of text: rich text without its markup, structures as compact JSON, long text cut."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    else:
        text = str(value)
        if "<" in text:
            text = strip_tags(text)
    return text if len(text) <= 300 else text[:299] + "…"


def _path(parts: tuple) -> str:
    text = "data"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _walk(parts: tuple, old: Any, new: Any, out: list[tuple[tuple, Any, Any]]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*new, *(k for k in old if k not in new)]:
            _walk((*parts, key), old.get(key, _MISSING), new.get(key, _MISSING), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            before = old[index] if index < len(old) else _MISSING
            after = new[index] if index < len(new) else _MISSING
            _walk((*parts, index), before, after, out)
        return
    out.append((parts, None if old is _MISSING else old, None if new is _MISSING else new))


def _place(schema: list, parts: tuple) -> tuple:
    """Where a path stands in the form: each field by its position in its schema, rows by number (unknown keys,
    orphans, last by name). The changes are listed so, whatever order the database gave the keys in (jsonb
    sorts them by length)."""
    place: list[tuple[int, Any]] = []
    fields: list = schema or []
    for part in parts:
        if isinstance(part, int):
            place.append((part, ""))
            continue
        names = [f.get("name") for f in fields if isinstance(f, dict)]
        position = names.index(part) if part in names else len(names)
        place.append((position, part))
        field = fields[position] if position < len(fields) else {}
        items = field.get("items") or {} if isinstance(field, dict) else {}
        fields = field.get("fields") or items.get("fields") or [] if isinstance(field, dict) else []
    return tuple(place)


def data_changes(schema: list, before: dict, after: dict) -> list[Change]:
    """Each changed leaf of the data, labelled by `schema` (the newer state's, which names what is there now),
    in the form's order."""
    found: list[tuple[tuple, Any, Any]] = []
    _walk((), before or {}, after or {}, found)
    found.sort(key=lambda change: _place(schema, change[0]))
    return [Change(label_path(schema, parts), _path(parts), old, new) for parts, old, new in found]


def schema_changes(before: list, after: list) -> list[Change]:
    """Fields of the schema (top level, by name) added, removed, or changed in their definition."""
    old = {f.get("name"): f for f in before or [] if isinstance(f, dict)}
    new = {f.get("name"): f for f in after or [] if isinstance(f, dict)}
    found: list[Change] = []
    for name in [*new, *(n for n in old if n not in new)]:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        field = b or a or {}
        found.append(
            Change(
                field_label(field),
                f"schema.{name}",
                None if a is None else _describe(a),
                None if b is None else _describe(b),
            )
        )
    return found


def _describe(field: dict) -> str:
    """A field definition in a few words: "text, required, max 80"."""
    words = [str(field.get("type"))]
    if field.get("required"):
        words.append("required")
    if field.get("localized") is False:
        words.append("shared")
    for key, word in (("maxLength", "max"), ("maxItems", "at most"), ("minItems", "at least")):
        if field.get(key) is not None:
            words.append(f"{word} {field[key]}")
    if field.get("fields"):
        words.append(f"{len(field['fields'])} sub-fields")
    return ", ".join(words)


def meta_changes(before: dict, after: dict) -> list[Change]:
    """The block's own fields an editor sets: name, path, tags, status."""
    found = []
    for key, label in (("name", "Name"), ("path", "Path"), ("tags", "Tags"), ("status", "Status")):
        a, b = before.get(key), after.get(key)
        if a != b:
            found.append(
                Change(
                    label, key, ", ".join(a) if isinstance(a, list) else a, ", ".join(b) if isinstance(b, list) else b
                )
            )
    return found

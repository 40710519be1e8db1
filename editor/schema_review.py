"""The schema page's review step: a schema change's dry-run report (`blocks.services.block_replace_schema`,
`meta.schemaChange` in the API) told in the editor's words, and whether it needs the editor's confirmation.

Saving a schema that only adds fields or changes options cannot move anybody's content, so it is written at
once. A save that renames, moves, retypes or removes a field, or that moves, converts, fails to convert or
orphans any value in any locale copy, is shown first (`needs_review`) and written only when confirmed: the
editor sees per locale copy what happens to the content before it happens (`editor.forms.needs_review`
decides; this module tells).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from editor.controls import field_label
from editor.problems import SEPARATOR, label_path, parse_path

CHANGE_WORDS = {
    "added": "added",
    "removed": "removed",
    "renamed": "renamed",
    "moved": "moved",
    "typeChanged": "type changed",
    "optionsChanged": "options changed",
}


@dataclass
class FieldLine:
    """One changed field: where it was and is (labels, with the API's names beside them), and what changed."""

    before: str
    before_name: str
    after: str
    after_name: str
    changes: str
    types: str


@dataclass
class CopyReview:
    """What happens to one locale copy's content."""

    locale: str
    moved: list[tuple[str, str]] = field(default_factory=list)
    converted: list[tuple[str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str, str]] = field(default_factory=list)  # where, types, why, kept as
    orphaned: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def untouched(self) -> bool:
        return not (self.moved or self.converted or self.failed or self.orphaned)


def field_label_path(schema: list, shown: str | None) -> str:
    """`plans[].planName` (a field's place, as the report names it) -> "Plans then each item then Plan name"."""
    if not shown:
        return ""
    words: list[str] = []
    fields: list[Any] = schema
    for step in shown.split("."):
        each = step.endswith("[]")
        name = step.removesuffix("[]")
        found = next((f for f in fields if isinstance(f, dict) and f.get("name") == name), None)
        if found is None:
            words.append(name)
            fields = []
            continue
        words.append(field_label(found))
        if each:
            words.append("each item")
            items = found.get("items") or {}
            fields = items.get("fields") or [] if isinstance(items, dict) else []
        else:
            fields = found.get("fields") or [] if found.get("type") == "object" else []
    return SEPARATOR.join(words)


_SCHEMA_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def schema_error_label(schema: Any, path: str) -> str:
    """`schema[1].fields[0].name` (where a schema check failed) in words: "Field 2 (Plans) then field 1 then
    name", with the field's label where the posted schema gives one, so the list above the builder does not
    speak in JSON paths."""
    words: list[str] = []
    fields: Any = schema
    field: Any = None
    for name, index in _SCHEMA_STEP.findall(path[len("schema") :] if path.startswith("schema") else path):
        if index:
            i = int(index)
            field = fields[i] if isinstance(fields, list) and i < len(fields) else None
            known = field_label(field) if isinstance(field, dict) and (field.get("label") or field.get("name")) else ""
            words.append(f"{'Field' if not words else 'field'} {i + 1}" + (f" ({known})" if known else ""))
        elif name in ("fields", "items") and isinstance(field, dict):
            fields = field.get(name)
            if name == "items":
                words.append("each item")
                field = fields if isinstance(fields, dict) else None
                fields = field.get("fields") if isinstance(field, dict) else None
        else:
            words.append(name)
    return SEPARATOR.join(words) or "Schema"


def _data_label(schema: list, path: str) -> str:
    return label_path(schema, parse_path(f"data.{path}")) if path else "Content"


def totals(copies: list[CopyReview]) -> dict[str, int]:
    """How many values move, convert, and are kept aside (failed conversions and other orphans), over all copies."""
    count = {kind: sum(len(getattr(copy, kind)) for copy in copies) for kind in ("moved", "converted", "failed")}
    return {**count, "orphaned": count["failed"] + sum(len(copy.orphaned) for copy in copies)}


def review(report: dict, *, old_schema: list, new_schema: list) -> tuple[list[FieldLine], list[CopyReview]]:
    """The report as lines a person reads: labels from the schema each path belongs to, rows counted from 1."""
    lines = []
    for change in report.get("fields", []):
        types = f"{change['fromType']} → {change['toType']}" if "fromType" in change else ""
        words = [CHANGE_WORDS.get(kind, kind) for kind in change.get("changes", ())]
        if "options" in change:
            words = [
                w if w != "options changed" else f"options changed ({', '.join(change['options'])})" for w in words
            ]
        lines.append(
            FieldLine(
                before=field_label_path(old_schema, change.get("from")),
                before_name=change.get("from") or "",
                after=field_label_path(new_schema, change.get("to")),
                after_name=change.get("to") or "",
                changes=", ".join(words),
                types=types,
            )
        )
    copies = []
    for entry in report.get("copies", []):
        copy = CopyReview(locale=entry.get("locale", ""))
        copy.moved = [
            (_data_label(old_schema, m["from"]), _data_label(new_schema, m["to"])) for m in entry.get("moved", [])
        ]
        copy.converted = [
            (_data_label(new_schema, c["to"]), c.get("fromType", ""), c.get("toType", ""))
            for c in entry.get("converted", [])
        ]
        # A value that fails to convert is also kept aside as an orphan: said once, on its failure line.
        kept = {o["path"]: o.get("keptAs", "") for o in entry.get("orphaned", [])}
        failed_paths = {f["path"] for f in entry.get("failed", [])}
        copy.failed = [
            (
                _data_label(old_schema, f["path"]),
                f"{f.get('fromType', '?')} → {f.get('toType', '?')}",
                f.get("reason", ""),
                kept.get(f["path"], ""),
            )
            for f in entry.get("failed", [])
        ]
        copy.orphaned = [
            (_data_label(old_schema, o["path"]), o.get("keptAs", ""), o.get("reason", ""))
            for o in entry.get("orphaned", [])
            if o["path"] not in failed_paths
        ]
        copies.append(copy)
    return lines, copies

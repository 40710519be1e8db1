"""TypeScript type expressions of block data, read from a compiled (served, publish-level) JSON Schema.

Why from the compiled schema and not from the field definitions: the compiled schema is the contract the API
already publishes (`GET /site-blocks/{slug}/json-schema`), and its `x-cms` marker names each field's type, so
the types a frontend compiles against say exactly what the validator lets through. The publish level is read
because delivery answers show published data, where a `required` field is always present (so it is not
optional in the type).

The expressions name a few shared types (`CmsImage`, `CmsFile`, `CmsBlockSummary`, …) that the caller
declares once per file (`blocks.typescript` does: their shapes are those of the resolved media references
and data sources, which this model-less package does not know).
"""

from __future__ import annotations

import json
import re
from typing import Any

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
#: field types whose value is a JSON string in every answer
_STRING_TYPES = frozenset({"string", "text", "richtext", "url", "email", "color", "date", "datetime"})
#: what a data source fills in (custom sources: anything)
_SOURCE_TYPES = {"blocks": "CmsBlockSummary[] | null", "block": "CmsData | null"}
_INDENT = "  "
#: what the strings of some types hold, for the doc comment of a field
_HINTS = {
    "richtext": "sanitised HTML",
    "date": "YYYY-MM-DD",
    "datetime": "RFC 3339 date-time",
    "color": "#RGB, #RRGGBB or #RRGGBBAA",
    "url": "a URL",
    "email": "an email address",
}


def literal(value: Any) -> str:
    """A TypeScript literal of a JSON scalar (a JSON string is a valid TypeScript string literal)."""
    return json.dumps(value, ensure_ascii=False)


def property_key(name: str) -> str:
    """`name` as an object-type key: bare when it is an identifier, quoted otherwise."""
    return name if _IDENTIFIER.match(name) else literal(name)


def object_members(fragment: dict, depth: int) -> list[str]:
    """The members (`title?: string;`) of the object type of an object-shaped fragment, indented for `depth`."""
    required = set(fragment.get("required", ()))
    pad = _INDENT * depth
    lines = []
    for name, child in fragment.get("properties", {}).items():
        marker = child.get("x-cms", {}) if isinstance(child, dict) else {}
        # A dataSource field is filled on every read (null when its source finds nothing): always present.
        optional = name not in required and marker.get("type") != "dataSource"
        lines.append(f"{pad}/** {comment_text(_doc(name, child))} */")
        lines.append(f"{pad}{property_key(name)}{'?' if optional else ''}: {type_expression(child, depth)};")
    return lines


def _doc(name: str, fragment: Any) -> str:
    """`Title · richtext (sanitised HTML). Help.`: the label, the field type (what its strings hold), the help."""
    if not isinstance(fragment, dict):
        return name
    kind = fragment.get("x-cms", {}).get("type", "unknown")
    title = fragment.get("title")
    text = f"{title} · {kind}" if title and title != name else kind
    if kind in _HINTS:
        text += f" ({_HINTS[kind]})"
    if fragment.get("description"):
        text += f". {fragment['description']}"
    return text


def object_type(fragment: dict, depth: int) -> str:
    members = object_members(fragment, depth + 1)
    if not members:
        return "Record<string, never>"
    return "{\n" + "\n".join(members) + "\n" + _INDENT * depth + "}"


def type_expression(fragment: Any, depth: int = 0) -> str:
    """The TypeScript type of values of one compiled field fragment, as the delivery API answers them."""
    if not isinstance(fragment, dict):
        return "unknown"
    kind = fragment.get("x-cms", {}).get("type")
    if kind in _STRING_TYPES:
        return "string"
    if kind == "number":
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "select":
        return _union(fragment.get("enum", []))
    if kind == "multiselect":
        return f"Array<{_union(fragment.get('items', {}).get('enum', []))}>"
    if kind in ("image", "file"):
        return _media(kind, fragment)
    if kind == "object":
        return object_type(fragment, depth)
    if kind == "array":
        return f"Array<{type_expression(fragment.get('items'), depth)}>"
    if kind == "dataSource":
        return _SOURCE_TYPES.get(fragment["x-cms"].get("source"), "unknown")
    return "unknown"  # a type registered by a project: its values are whatever it validates


def _union(values: list) -> str:
    return " | ".join(literal(value) for value in values) if values else "never"


def _media(kind: str, fragment: dict) -> str:
    """`CmsImage` / `CmsFile`, with the URL form's keys the field requires (`requireAlt`: `alt`; `maxSize`:
    `size`) made required."""
    base = "CmsImage" if kind == "image" else "CmsFile"
    url_form = fragment.get("else", {})
    extra = [key for key in url_form.get("required", ()) if key != "url"]
    if not extra:
        return base
    members = "; ".join(f"{property_key(key)}: {'string' if key == 'alt' else 'number'}" for key in extra)
    return f"{base}<{{ {members} }}>"


def comment_text(text: str) -> str:
    return " ".join(str(text).split()).replace("*/", "*\\/")

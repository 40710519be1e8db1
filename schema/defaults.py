"""Richtext inside a schema's `default`s, sanitised like richtext in data.

A default is content too: the admin form and clients show it, and a field left out of a write may be filled
with it. So a `richtext` value anywhere inside a default (a richtext field's own default, a richtext key of an
object default, richtext items of a list default) passes the sanitiser, under the same rules as data. Called
by `check_schema` (every schema a client sends) and by the write path's tail (every schema stored).
"""

from __future__ import annotations

from typing import Any

from schema.sanitize import sanitize_html


def clean_defaults(schema: list) -> list:
    """`schema` with every richtext value inside a `default` sanitised; `schema` itself when nothing changes.

    Walks the definitions (at most 5 levels, `schema.checks`), never the input it does not understand."""
    if not isinstance(schema, list):
        return schema
    out = [_clean_field(field) for field in schema]
    return schema if all(new is old for new, old in zip(out, schema, strict=True)) else out


def _clean_field(field: Any) -> Any:
    if not isinstance(field, dict):
        return field
    changes: dict[str, Any] = {}
    if "default" in field:
        default = clean_value(field, field["default"])
        if default != field["default"]:
            changes["default"] = default
    if isinstance(field.get("fields"), list):
        fields = clean_defaults(field["fields"])
        if fields is not field["fields"]:
            changes["fields"] = fields
    if isinstance(field.get("items"), dict):
        items = _clean_field(field["items"])
        if items is not field["items"]:
            changes["items"] = items
    return {**field, **changes} if changes else field


def clean_value(field: dict, value: Any) -> Any:
    """`value` of the field `field` with its richtext parts sanitised (the rest as it is)."""
    kind = field.get("type")
    if kind == "richtext":
        return sanitize_html(value) if isinstance(value, str) else value
    if kind == "object" and isinstance(value, dict) and isinstance(field.get("fields"), list):
        by_name = {sub.get("name"): sub for sub in field["fields"] if isinstance(sub, dict)}
        return {key: clean_value(by_name[key], item) if key in by_name else item for key, item in value.items()}
    if kind == "array" and isinstance(value, list) and isinstance(field.get("items"), dict):
        return [clean_value(field["items"], item) for item in value]
    return value

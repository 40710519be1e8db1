"""Stable field identity: every field definition carries an immutable `id` (docs/fields.md "Changing a schema").

A name can change, a field can move into an object; its `id` stays, so a schema replacement can be compared
with the schema it replaces field by field (`schema.evolution`) and the data follows the field. Ids are short
random url-safe strings, unique in one block's schema. A client may send them (the API answers them, so a
schema read, edited and sent back keeps them), or leave them out: a field sent without an id takes the id of
the field of the previous schema with the same name at the same place ("a name that stays is the same
field"), else a new one.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Iterator

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
ID_MESSAGE = "Must be a string of 1 to 32 letters, digits, `-` or `_`."


def new_id() -> str:
    """11 url-safe characters (64 random bits): collisions in one schema are not a practical concern, and
    `with_ids` re-draws one anyway."""
    return secrets.token_urlsafe(8)


def _children(field: dict) -> list | None:
    """The nested field list of an object, or of an array of objects (whose items hold named fields)."""
    if field.get("type") == "object" and isinstance(field.get("fields"), list):
        return field["fields"]
    items = field.get("items")
    if field.get("type") == "array" and isinstance(items, dict) and items.get("type") == "object":
        fields = items.get("fields")
        return fields if isinstance(fields, list) else None
    return None


def iter_defs(schema: list) -> Iterator[dict]:
    """Every named field definition of a (checked) schema, depth first."""
    for field in schema:
        if isinstance(field, dict):
            yield field
            children = _children(field)
            if children is not None:
                yield from iter_defs(children)


def with_ids(schema: list[dict], previous: list[dict] | None = None) -> list[dict]:
    """A copy of the checked `schema` in which every field has an id: its own, else the id of the field of
    `previous` with the same name at the same place (the same parent field), else a new one. A schema whose
    fields all have ids is returned as it is (no copy)."""
    if all(isinstance(field.get("id"), str) for field in iter_defs(schema)):
        return schema
    out = copy.deepcopy(schema)
    taken = {field["id"] for field in iter_defs(out) if isinstance(field.get("id"), str)}
    by_id = {field["id"]: field for field in iter_defs(previous or []) if isinstance(field.get("id"), str)}
    _assign(out, previous or [], taken, by_id)
    return out


def _assign(fields: list[dict], before: list, taken: set[str], by_id: dict[str, dict]) -> None:
    old_by_name = {f.get("name"): f for f in before if isinstance(f, dict)}
    for field in fields:
        if not isinstance(field, dict):
            continue
        if not isinstance(field.get("id"), str):
            old = old_by_name.get(field.get("name"))
            old_id = old.get("id") if old else None
            if isinstance(old_id, str) and old_id not in taken:
                field["id"] = old_id
            else:
                field["id"] = _fresh(taken)
            taken.add(field["id"])
        children = _children(field)
        if children is not None:
            old = by_id.get(field["id"]) or old_by_name.get(field.get("name"))
            old_children = _children(old) if old else None
            _assign(children, old_children or [], taken, by_id)


def _fresh(taken: set[str]) -> str:
    while True:
        candidate = new_id()
        if candidate not in taken:
            return candidate


def id_problems(schema: list, where: str = "schema") -> dict[str, str]:
    """Duplicate ids across the whole schema (the format of each id is checked with the field's keys)."""
    problems: dict[str, str] = {}
    seen: set[str] = set()

    def walk(fields: list, at: str) -> None:
        for i, field in enumerate(fields):
            if not isinstance(field, dict):
                continue
            here = f"{at}[{i}]"
            value = field.get("id")
            if isinstance(value, str):
                if value in seen:
                    problems.setdefault(f"{here}.id", f"Duplicate id {value!r}: ids must be unique in a schema.")
                seen.add(value)
            if field.get("type") == "object" and isinstance(field.get("fields"), list):
                walk(field["fields"], f"{here}.fields")
            items = field.get("items")
            if isinstance(items, dict) and items.get("type") == "object" and isinstance(items.get("fields"), list):
                walk(items["fields"], f"{here}.items.fields")

    walk(schema, where)
    return problems

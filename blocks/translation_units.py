"""Translation state of locale copies, as pure functions of schema and data (no queries here).

A block's copies share a `translation_key`; the **source** of a group is its copy in the site's default
locale (or, if there is none, its oldest copy). Translators translate *units*: the localized leaf fields of
the schema, counted by concrete data path (`title`, `navLinks[1].label`, `hero.cta.text`). Objects and
arrays of objects are walked into; any other field is one unit if it is localized (an array of strings is
one unit, translated as a whole).

Every copy stores, per unit path, a fingerprint of the source value its own value was translated from
(`SiteBlock.translation_hashes`). A unit is **outdated** when the copy has a value there and its fingerprint
is not the fingerprint of the source's current value: an edit to one source field marks exactly that field,
and re-saving the copy's value re-fingerprints it. A value with no fingerprint (restored from an old
revision, say) counts as outdated: we cannot claim it matches the source.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

from cms import jsonbytes
from schema import ANY_ITEM, compiled_for, is_localized, values_at

MISSING, PARTIAL, COMPLETE = "missing", "partial", "complete"


def _is_object_list(field: dict) -> bool:
    items = field.get("items")
    return field.get("type") == "array" and isinstance(items, dict) and items.get("type") == "object"


def unit_paths(schema: list[dict], _prefix: tuple = ()) -> Iterator[tuple]:
    """Field paths (with `*` for list items) of the schema's translation units, in schema order."""
    for field in schema:
        if not isinstance(field, dict) or field.get("type") == "dataSource":
            continue
        path = (*_prefix, field["name"])
        if field.get("type") == "object":
            yield from unit_paths(field.get("fields", []), path)
        elif _is_object_list(field):
            yield from unit_paths(field["items"].get("fields", []), (*path, ANY_ITEM))
        elif is_localized(field) or (isinstance(field.get("items"), dict) and is_localized(field["items"])):
            yield path


def has_units(field: dict) -> bool:
    return any(True for _ in unit_paths([field]))


def path_key(parts: tuple) -> str:
    """`("navLinks", 1, "label")` → `navLinks[1].label`, the way API error paths name data."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def unit_values(schema: list[dict], data: dict, *, paths: list[tuple] | None = None) -> dict[str, Any]:
    """`{concrete unit path: value}` for every unit present in `data` (empty values included)."""
    found: dict[str, Any] = {}
    for path in unit_paths(schema) if paths is None else paths:
        for parts, value in values_at(data, path):
            found[path_key(parts)] = value
    return found


def is_empty(value: Any) -> bool:
    """Nothing to translate: null, blank text, an empty list, or an object whose values are all empty."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    if isinstance(value, dict):
        return all(is_empty(item) for item in value.values())
    return False


def fingerprint(value: Any) -> str:
    """A short stable hash of a JSON value (key order does not matter); `None` has one too."""
    return hashlib.sha256(jsonbytes.dumps(value, sort_keys=True)).hexdigest()[:16]


def source_fingerprints(schema: list[dict], data: dict) -> dict[str, str]:
    return {key: fingerprint(value) for key, value in unit_values(schema, data).items()}


def refingerprint(
    hashes: dict[str, str], *, schema: list[dict], data: dict, source_data: dict, keys: set[str] | None = None
) -> dict[str, str]:
    """New fingerprints after a translator wrote the top-level `keys` of a copy (all keys if None).

    Every unit under a written key now matches the source's current value there, whether the value changed
    or was saved as it was: re-saving is how a translator says "checked, still right".
    """
    source_values = unit_values(schema, source_data)
    written = {key: value for key, value in unit_values(schema, data).items() if keys is None or _top(key) in keys}
    kept = {key: value for key, value in hashes.items() if keys is not None and _top(key) not in keys}
    return {**kept, **{key: fingerprint(source_values.get(key)) for key in written}}


def forget_changed(hashes: dict[str, str], *, schema: list[dict], before: dict, after: dict) -> dict[str, str]:
    """Fingerprints of units whose value a whole-data replacement (a restore) changed are dropped."""
    old, new = unit_values(schema, before), unit_values(schema, after)
    return {key: value for key, value in hashes.items() if old.get(key) == new.get(key) and key in new}


def _top(key: str) -> str:
    return key.split(".", 1)[0].split("[", 1)[0]


def pick_source(copies: list, default_locale: str):
    """The copy translators translate from: the default-locale one, else the oldest."""
    for block in copies:
        if block.locale == default_locale:
            return block
    return min(copies, key=lambda block: block.pk) if copies else None


class SourceView:
    """The source's units, worked out once per group and shared by the states of all its copies."""

    def __init__(self, source) -> None:
        self.block = source
        self.paths = list(unit_paths(source.schema))
        self.values = unit_values(source.schema, source.data, paths=self.paths)
        self.wanted = {key for key, value in self.values.items() if not is_empty(value)}
        self._prints: dict[str, str] = {}

    def print_of(self, key: str) -> str:
        if key not in self._prints:
            self._prints[key] = fingerprint(self.values.get(key))
        return self._prints[key]


def copy_state(source, target, *, view: SourceView | None = None) -> dict:
    """`{status, translatedFields, totalFields, outdated, outdatedFields}` of `target` against `source`."""
    view = view or SourceView(source)
    wanted = view.wanted
    if target is source or target.pk == source.pk:
        complete = not compiled_for(source.schema).validate(source.data, publish=True)
        return _state(COMPLETE if complete else PARTIAL, len(wanted), len(wanted), [])
    same_schema = target.schema == source.schema  # the usual case: schemas are kept in step across copies
    own = unit_values(target.schema, target.data, paths=view.paths if same_schema else None)
    translated = sum(1 for key in wanted if not is_empty(own.get(key)))
    hashes = target.translation_hashes or {}
    outdated = [key for key, value in own.items() if not is_empty(value) and hashes.get(key) != view.print_of(key)]
    status = COMPLETE if translated == len(wanted) and not outdated else PARTIAL
    return _state(status, translated, len(wanted), outdated)


def missing_state(source, *, view: SourceView | None = None) -> dict:
    view = view or SourceView(source)
    return _state(MISSING, 0, len(view.wanted), [])


def _state(status: str, translated: int, total: int, outdated: list[str]) -> dict:
    return {
        "status": status,
        "translatedFields": translated,
        "totalFields": total,
        "outdated": bool(outdated),
        "outdatedFields": outdated,
    }


def group_states(copies: list, locales: list[str], default_locale: str) -> dict[str, dict]:
    """The state of a translation group in each of `locales` (the site's enabled locales)."""
    source = pick_source(copies, default_locale)
    if source is None:
        return {}
    view = SourceView(source)
    by_locale = {block.locale: block for block in copies}
    states: dict[str, dict] = {}
    for code in locales:
        target = by_locale.get(code)
        states[code] = missing_state(source, view=view) if target is None else copy_state(source, target, view=view)
    return states


def synced_data(schema: list[dict], source: dict, target: dict) -> dict:
    """`target` with every non-localized value taken from `source`; localized values are left alone.

    Objects are merged field by field; a list of objects holding localized fields is synced item by item
    when both lists have the same length (otherwise the items cannot be matched and the list is left alone).
    """
    out = dict(target)
    for field in schema:
        if not isinstance(field, dict) or field.get("type") == "dataSource":
            continue
        name = field["name"]
        if not has_units(field):
            if name in source:
                out[name] = copy.deepcopy(source[name])
            else:
                out.pop(name, None)
        elif field.get("type") == "object" and isinstance(source.get(name), dict):
            existing = target.get(name)
            out[name] = synced_data(
                field.get("fields", []), source[name], existing if isinstance(existing, dict) else {}
            )
        elif _is_object_list(field):
            theirs, mine = source.get(name), target.get(name)
            if isinstance(theirs, list) and isinstance(mine, list) and len(theirs) == len(mine):
                fields = field["items"].get("fields", [])
                out[name] = [
                    synced_data(fields, a, b) if isinstance(a, dict) and isinstance(b, dict) else b
                    for a, b in zip(theirs, mine, strict=True)
                ]
    return out

"""Translation state of locale copies, as pure functions of schema and data (no queries here).

A block's copies share a `translation_key`; the **source** of a group is its copy in the site's default
locale (or, if there is none, its oldest copy). Translators translate *units*: the localized leaf fields of
the schema, counted by concrete data path (`title`, `navLinks[1].label`, `hero.cta.text`). Objects and
arrays of objects are walked into; any other field is one unit if it is localized (an array of strings is
one unit, translated as a whole).

Every copy stores, per unit path, a fingerprint of the source value its own value was translated from
(`SiteBlock.translation_hashes`). A fingerprint is set only by a person, an import or a machine step writing
a new value in that locale, or by **keep** (confirming the copied or earlier value is right for the current
source). So, for each unit the source has a value for, a copy's unit is:

- **untranslated**: no fingerprint (a fresh copy: its values were copied, not translated) or an empty value;
- **outdated**: a fingerprint that is not the source's current value's (the source changed since);
- **translated**: the fingerprint of the source's current value;
- **machine**: written by a machine pre-translation step (`blocks.services.machine`) from the source's current
  value, not yet looked at by a person: its fingerprint is stored with the `m:` prefix, which a person's write
  of the unit or a keep replaces (then translated). A machine value whose source changed reads outdated.

Non-localized fields are **shared**: one value across the copies, kept in step by the write path
(`blocks.services.writing`); `shared_values` and `diverged_shared` say where copies differ anyway.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

from cms import jsonbytes
from schema import ANY_ITEM, compiled_for, is_localized, values_at

MISSING, PARTIAL, COMPLETE = "missing", "partial", "complete"
UNTRANSLATED, OUTDATED, TRANSLATED = "untranslated", "outdated", "translated"
MACHINE = "machine"
MACHINE_PREFIX = "m:"  # a fingerprint written by a machine step (see the module docstring)
_ABSENT = object()  # a path with no value, told apart from a `null` value


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
    hashes: dict[str, str], *, schema: list[dict], before: dict, after: dict, source_data: dict
) -> dict[str, str]:
    """New fingerprints after a write in a copy's locale changed its data from `before` to `after`.

    A unit whose value changed to a non-empty one is now translated from the source's current value; one
    emptied loses its fingerprint (untranslated); units left as they were keep theirs. Sending a value again
    unchanged is not a translation (the admin form sends whole objects): confirming one is `keep`.
    """
    old, new = unit_values(schema, before), unit_values(schema, after)
    source_values = unit_values(schema, source_data)
    out = {key: value for key, value in hashes.items() if key in new}
    for key, value in new.items():
        if key in old and old[key] == value:
            continue
        if is_empty(value):
            out.pop(key, None)
        else:
            out[key] = fingerprint(source_values.get(key))
    return out


def kept(hashes: dict[str, str], *, keys: list[str], source_data: dict, schema: list[dict]) -> dict[str, str]:
    """Fingerprints after a translator confirmed the units `keys` as right for the source's current values."""
    source_values = unit_values(schema, source_data)
    return {**hashes, **{key: fingerprint(source_values.get(key)) for key in keys}}


def machine_marked(hashes: dict[str, str], *, keys: list[str], source_data: dict, schema: list[dict]) -> dict[str, str]:
    """Fingerprints after a machine step wrote the units `keys` from the source's current values."""
    source_values = unit_values(schema, source_data)
    return {**hashes, **{key: MACHINE_PREFIX + fingerprint(source_values.get(key)) for key in keys}}


def _split_print(stored: str) -> tuple[str, bool]:
    """`(fingerprint, written by a machine)` of a stored fingerprint."""
    if stored.startswith(MACHINE_PREFIX):
        return stored[len(MACHINE_PREFIX) :], True
    return stored, False


def forget_changed(hashes: dict[str, str], *, schema: list[dict], before: dict, after: dict) -> dict[str, str]:
    """Fingerprints of units whose value a whole-data replacement (a restore) changed are dropped."""
    old, new = unit_values(schema, before), unit_values(schema, after)
    return {key: value for key, value in hashes.items() if old.get(key) == new.get(key) and key in new}


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
        self.wanted = [key for key, value in self.values.items() if not is_empty(value)]  # in schema order
        self._prints: dict[str, str] = {}
        self._shared: dict[str, Any] | None = None

    def print_of(self, key: str) -> str:
        if key not in self._prints:
            self._prints[key] = fingerprint(self.values.get(key))
        return self._prints[key]


def unit_states(source, target, *, view: SourceView | None = None) -> dict[str, str]:
    """`{unit path: "untranslated" | "outdated" | "machine" | "translated"}` of `target` for each unit the
    source fills."""
    view = view or SourceView(source)
    if target.pk == source.pk:
        return dict.fromkeys(view.wanted, TRANSLATED)
    same_schema = target.schema == source.schema  # the usual case: schemas are kept in step across copies
    own = unit_values(target.schema, target.data, paths=view.paths if same_schema else None)
    hashes = target.translation_hashes or {}
    states: dict[str, str] = {}
    for key in view.wanted:
        if is_empty(own.get(key)) or key not in hashes:
            states[key] = UNTRANSLATED
            continue
        stored, by_machine = _split_print(hashes[key])
        if stored != view.print_of(key):
            states[key] = OUTDATED
        else:
            states[key] = MACHINE if by_machine else TRANSLATED
    for key, value in own.items():  # translated once, then the source emptied it: the copy's value is stale
        if key in states or key not in hashes or is_empty(value):
            continue
        if _split_print(hashes[key])[0] != view.print_of(key):
            states[key] = OUTDATED
    return states


def copy_state(source, target, *, view: SourceView | None = None, diverged: bool = True) -> dict:
    """The state of `target` against `source` (the shape is `_state`'s); `diverged`: also work out the shared
    fields where `target` differs from the source (the list's marks leave that to the block's page)."""
    view = view or SourceView(source)
    states = unit_states(source, target, view=view)
    if target.pk == source.pk:
        complete = not compiled_for(source.schema).validate(source.data, publish=True)
        state = _state(COMPLETE if complete else PARTIAL, states, [])
        if not diverged:
            del state["divergedSharedFields"]
        return state
    status = COMPLETE if all(word == TRANSLATED for word in states.values()) else PARTIAL
    state = _state(status, states, [])
    if not diverged:
        del state["divergedSharedFields"]  # not worked out (a list's marks): absent rather than a false `[]`
    elif target.schema == source.schema:
        state["divergedSharedFields"] = diverged_shared(source.schema, source.data, target.data)
    return state


def missing_state(source, *, view: SourceView | None = None, diverged: bool = True) -> dict:
    view = view or SourceView(source)
    state = _state(MISSING, dict.fromkeys(view.wanted, UNTRANSLATED), [])
    if not diverged:
        del state["divergedSharedFields"]
    return state


def _state(status: str, states: dict[str, str], diverged: list[str]) -> dict:
    fields: dict[str, list[str]] = {TRANSLATED: [], OUTDATED: [], UNTRANSLATED: [], MACHINE: []}
    for key, state in states.items():
        fields[state].append(key)
    return {
        "status": status,
        "translatedFields": len(fields[TRANSLATED]),
        "totalFields": len(states),
        "outdated": bool(fields[OUTDATED]),
        "outdatedFields": fields[OUTDATED],
        "counts": {name: len(paths) for name, paths in fields.items()},
        "fields": fields,
        "divergedSharedFields": diverged,
    }


def group_states(copies: list, locales: list[str], default_locale: str, *, diverged: bool = True) -> dict[str, dict]:
    """The state of a translation group in each of `locales` (the site's enabled locales)."""
    source = pick_source(copies, default_locale)
    if source is None:
        return {}
    view = SourceView(source)
    by_locale = {block.locale: block for block in copies}
    states: dict[str, dict] = {}
    for code in locales:
        target = by_locale.get(code)
        states[code] = (
            missing_state(source, view=view, diverged=diverged)
            if target is None
            else copy_state(source, target, view=view, diverged=diverged)
        )
    return states


def shared_values(schema: list[dict], data: dict, _prefix: tuple = ()) -> dict[str, Any]:
    """`{concrete path: value}` of the shared (non-localized) values in `data`, as `synced_data` keeps them in
    step: a field with no unit inside is one value; objects and lists of objects holding units are walked."""
    found: dict[str, Any] = {}
    for field in schema:
        if not isinstance(field, dict) or field.get("type") == "dataSource" or field.get("name") not in data:
            continue
        name = field["name"]
        path = (*_prefix, name)
        value = data[name]
        if not has_units(field):
            found[path_key(path)] = value
        elif field.get("type") == "object" and isinstance(value, dict):
            found.update(shared_values(field.get("fields", []), value, path))
        elif _is_object_list(field) and isinstance(value, list):
            fields = field["items"].get("fields", [])
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    found.update(shared_values(fields, item, (*path, index)))
    return found


def diverged_shared(schema: list[dict], source: dict, target: dict) -> list[str]:
    """The shared paths of `target` that re-syncing from `source` would change, in schema order."""
    mine = shared_values(schema, target)
    theirs = shared_values(schema, synced_data(schema, source, target))
    keys = list(theirs) + [key for key in mine if key not in theirs]
    return [key for key in keys if theirs.get(key, _ABSENT) != mine.get(key, _ABSENT)]


def shared_changes(schema: list[dict], before: dict, after: dict) -> list[str]:
    """The shared paths a write changed (set, changed or removed), in schema order."""
    old, new = shared_values(schema, before), shared_values(schema, after)
    keys = list(new) + [key for key in old if key not in new]
    return [key for key in keys if old.get(key, _ABSENT) != new.get(key, _ABSENT)]


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

"""Schema changes that carry the data (docs/fields.md "Changing a schema").

`field_changes(old, new)` compares two schemas field by field through their ids (`schema.identity`): renamed,
moved, type changed, options changed, added, removed. `migrate(old, new, data)` rebuilds one copy's data for
the new schema: each value goes where its field now is (a rename or a move keeps it; inside a list, item by
item), converted when the type changed and a conversion is defined (`convert`), and every value that cannot
follow (no conversion, not valid for the new field, removed, moved across a list boundary) is kept as an
orphan: a top-level key named after its old path (`hero.count`, `links[1].title`), listed with its reason.
Nothing is dropped. The result names every move and conversion, so the same call is the dry run's report
and the write's.

Pure functions of schemas and data; the blocks app applies the result in its one write path.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

from schema.compiler import compiled_for
from schema.identity import iter_defs
from schema.paths import ANY_ITEM
from schema.registry import is_localized

MISSING: Any = object()
#: keys that are not options: identity, place and nested definitions
NOT_OPTIONS = frozenset({"id", "name", "type", "fields", "items"})
NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXTUAL = frozenset({"string", "text", "url", "email", "color"})
REMOVED = "The field was removed from the schema."
SHAPELESS = "The value was not the object or list its field holds, so it cannot follow the field."
ACROSS_LIST = "The field moved into or out of a list: its items cannot be matched, so the value stays here."


class NoConversion(Exception):
    """A value cannot become a value of the new type; the message says why."""


def _items(f: dict) -> dict:
    """An array's item definition (`{}` when it has none)."""
    items = f.get("items")
    return items if isinstance(items, dict) else {}


def _key(parts: tuple) -> str:
    """`("links", 1, "title")` → `links[1].title`, as the API names data paths (without `data.`)."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _paths(schema: list[dict]) -> dict[str, tuple[tuple, dict]]:
    """`{id: (field path with `*` for list items, definition)}` of every named field."""
    found: dict[str, tuple[tuple, dict]] = {}

    def walk(fields: list, prefix: tuple) -> None:
        for f in fields:
            path = (*prefix, f["name"])
            found[f["id"]] = (path, f)
            if f.get("type") == "object":
                walk(f.get("fields", []), path)
            elif f.get("type") == "array" and isinstance(f.get("items"), dict) and f["items"].get("type") == "object":
                walk(f["items"].get("fields", []), (*path, ANY_ITEM))

    walk(schema, ())
    return found


def _shown(path: tuple) -> str:
    return ".".join("[]" if part == ANY_ITEM else part for part in path).replace(".[]", "[]")


def field_changes(old: list[dict], new: list[dict]) -> list[dict]:
    """What a replacement does to each field, by id, in the new schema's order then the removed ones."""
    before, after = _paths(old), _paths(new)
    out: list[dict] = []
    for fid, (path, f) in after.items():
        if fid not in before:
            out.append({"id": fid, "from": None, "to": _shown(path), "changes": ["added"]})
            continue
        old_path, g = before[fid]
        changes = []
        if g["name"] != f["name"]:
            changes.append("renamed")
        if old_path[:-1] != path[:-1]:
            changes.append("moved")
        entry: dict = {"id": fid, "from": _shown(old_path), "to": _shown(path)}
        if g.get("type") != f.get("type"):
            changes.append("typeChanged")
            entry["fromType"], entry["toType"] = g.get("type"), f.get("type")
        options = sorted(
            key for key in ({*f, *g} - NOT_OPTIONS) if f.get(key, MISSING) != g.get(key, MISSING)
        ) + _items_options(g, f)
        if options:
            changes.append("optionsChanged")
            entry["options"] = options
        if changes:
            out.append({**entry, "changes": changes})
    out.extend(
        {"id": fid, "from": _shown(path), "to": None, "changes": ["removed"]}
        for fid, (path, _) in before.items()
        if fid not in after
    )
    return out


def _items_options(old: dict, new: dict) -> list[str]:
    a, b = old.get("items"), new.get("items")
    if not isinstance(a, dict) or not isinstance(b, dict):
        return []
    return [f"items.{key}" for key in sorted({*a, *b} - {"fields"}) if a.get(key, MISSING) != b.get(key, MISSING)]


# ---- conversions --------------------------------------------------------------------------------------------


def convert(old: dict, new: dict, value: Any) -> Any:
    """`value` of field `old` as a value of field `new` (only the type is converted here; whether it suits the
    new field's options is judged by validating the whole result). Raises NoConversion."""
    a, b = old.get("type"), new.get("type")
    if a == b and a != "array":
        return copy.deepcopy(value)
    if b == "array":
        items = _items(new)
        if a == "array":
            old_items = _items(old)
            if not isinstance(value, list):
                raise NoConversion("Not a list.")
            return [convert(old_items, items, item) for item in value]
        if items.get("type") == "object":
            raise NoConversion(f"No conversion from {a} to a list of objects.")
        return [convert(old, items, value)]  # a single value becomes a list of one
    if a == "multiselect" and b == "select":
        if isinstance(value, list) and len(value) == 1:
            return value[0]
        raise NoConversion("Only a multiselect value with exactly one option becomes a select value.")
    if a == "select" and b == "multiselect":
        return [value]
    if a in TEXTUAL | {"select"} and b in TEXTUAL | {"richtext", "select"} and isinstance(value, str):
        # Whether it suits the new field (a URL, one of the options) is judged by validating the result;
        # richtext is sanitised with the rest of it (`compiled_for(new).clean`).
        return value
    if a == "richtext" and b == "text" and isinstance(value, str):
        raise NoConversion("Rich text does not become plain text: its markup would be lost.")
    if a == "number" and b in ("string", "text") and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if a in ("string", "text") and b == "number" and isinstance(value, str):
        text = value.strip()
        if not NUMBER_RE.fullmatch(text):
            raise NoConversion(f"{value!r} is not a number.")
        number = float(text)
        if not math.isfinite(number):
            raise NoConversion(f"{value!r} is not a finite number.")
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if a == "date" and b == "datetime" and isinstance(value, str) and DATE_RE.fullmatch(value):
        return f"{value}T00:00:00Z"
    raise NoConversion(f"No conversion from {a} to {b}.")


# ---- one copy's data -----------------------------------------------------------------------------------------


@dataclass
class Placed:
    """One value carried to the new schema: its old and new concrete paths, and its types."""

    old: tuple
    new: tuple
    old_type: str
    new_type: str


@dataclass
class Migration:
    """The new data of one copy, and what happened to each value (the report)."""

    data: dict
    placed: list[Placed] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    orphaned: list[dict] = field(default_factory=list)
    #: the new schema's top-level names, which an orphan's key must not take
    names: set[str] = field(default_factory=set)

    def keep(self, parts: tuple, value: Any, reason: str) -> None:
        """Keep `value` (once at `parts`) as a top-level orphan named after that path, and list it."""
        name = _key(parts)
        kept_as, n = name, 2
        while kept_as in self.data or kept_as in self.names:
            kept_as, n = f"{name}~{n}", n + 1
        self.data[kept_as] = copy.deepcopy(value)
        self.orphaned.append({"path": name, "keptAs": kept_as, "reason": reason})

    def moves(self) -> dict[str, str]:
        """`{old data path: new data path}` of every value carried (moved or not), for translation fingerprints."""
        return {_key(p.old): _key(p.new) for p in self.placed}

    def report(self) -> dict:
        return {
            "moved": [{"from": _key(p.old), "to": _key(p.new)} for p in self.placed if p.old != p.new],
            "converted": [
                {"from": _key(p.old), "to": _key(p.new), "fromType": p.old_type, "toType": p.new_type}
                for p in self.placed
                if p.old_type != p.new_type
            ],
            "failed": self.failed,
            "orphaned": self.orphaned,
        }


class _Builder:
    def __init__(self, old: list[dict], new: list[dict]) -> None:
        self.old_paths = _paths(old)
        self.new_ids = {f["id"] for f in iter_defs(new)}
        self.placed: list[Placed] = []
        self.failures: dict[tuple, tuple[str, str]] = {}  # old concrete path → (why it failed, the new type)

    def fields(self, fields: list[dict], scope: tuple, value: Any, concrete: tuple, new_at: tuple) -> dict:
        out: dict = {}
        for f in fields:
            if f.get("type") == "dataSource":
                continue
            got = self.value(f, scope, value, concrete, (*new_at, f["name"]))
            if got is not MISSING:
                out[f["name"]] = got
        return out

    def lookup(self, fid: str, scope: tuple, value: Any, concrete: tuple) -> tuple[Any, tuple, dict | None]:
        """The old value of field `fid` seen from a scope (the root, or one item of an old list)."""
        if fid not in self.old_paths:
            return MISSING, (), None
        path, old = self.old_paths[fid]
        rest = path[len(scope) :]
        if path[: len(scope)] != scope or ANY_ITEM in rest:
            return MISSING, (), old  # across a list boundary: left where it is, as an orphan
        node = value
        for step in rest:
            if not isinstance(node, dict) or step not in node:
                return MISSING, (), old
            node = node[step]
        return node, (*concrete, *rest), old

    def value(self, new: dict, scope: tuple, value: Any, concrete: tuple, new_at: tuple) -> Any:
        found, old_at, old = self.lookup(new["id"], scope, value, concrete)
        kind = new.get("type")
        items = _items(new)
        if kind == "object":
            if old is not None and old.get("type") != "object" and found is not MISSING:
                self.failures[old_at] = (f"No conversion from {old.get('type')} to object.", "object")
            built = self.fields(new.get("fields", []), scope, value, concrete, new_at)
            return built if built or (isinstance(found, dict) and old and old.get("type") == "object") else MISSING
        if kind == "array" and items.get("type") == "object":
            same_shape = old is not None and _items(old).get("type") == "object"
            if found is MISSING:
                return MISSING
            if not same_shape or not isinstance(found, list) or old is None:
                self.failures[old_at] = (
                    f"No conversion from {_type_name(old or {})} to a list of objects.",
                    _type_name(new),
                )
                return MISSING
            item_scope = (*self.old_paths[new["id"]][0], ANY_ITEM)
            return [
                self.fields(items.get("fields", []), item_scope, item, (*old_at, i), (*new_at, i))
                if isinstance(item, dict)
                else copy.deepcopy(item)
                for i, item in enumerate(found)
            ]
        if found is MISSING or old is None:
            return MISSING
        try:
            converted = convert(old, new, found)
        except NoConversion as exc:
            self.failures[old_at] = (str(exc), _type_name(new))
            return MISSING
        self.placed.append(Placed(old_at, new_at, _type_name(old), _type_name(new)))
        return converted


def _type_name(f: dict) -> str:
    items = f.get("items")
    if f.get("type") == "array" and isinstance(items, dict):
        return f"array of {items.get('type')}"
    return str(f.get("type"))


def migrate(old: list[dict], new: list[dict], data: dict) -> Migration:
    """The data of one copy under `new` (both schemas with ids); see the module docstring."""
    data = data if isinstance(data, dict) else {}
    builder = _Builder(old, new)
    out = builder.fields(new, (), data, (), ())
    compiled = compiled_for(new)
    out = compiled.clean(out)
    failed: list[dict] = []
    # A converted or moved value that the new field's options refuse (a string too long, an option not in a
    # select) is not valid there: it goes back to the orphans, with the validation message as the reason.
    for _ in range(5):
        problems = compiled.validate(out)
        refused = [(p, _problem_at(problems, _key(p.new))) for p in builder.placed]
        refused = [(p, message) for p, message in refused if message is not None]
        if not refused:
            break
        for p, message in refused:
            _remove(out, p.new)
            builder.placed.remove(p)
            builder.failures[p.old] = (f"Not valid as {p.new_type}: {message}", p.new_type)
    consumed = {p.old for p in builder.placed}
    for old_at, (reason, to_type) in builder.failures.items():
        failed.append(
            {"path": _key(old_at), **_types(builder, _field_path(old_at)), "toType": to_type, "reason": reason}
        )
    result = Migration(out, builder.placed, failed, names={f["name"] for f in new})
    keep = result.keep

    def reason_for(parts: tuple, fid: str | None) -> str:
        if parts in builder.failures:
            return builder.failures[parts][0]
        if fid is not None and fid in builder.new_ids:
            return ACROSS_LIST
        return REMOVED

    def leftovers(fields: list[dict], value: dict, at: tuple) -> None:
        for f in fields:
            name = f["name"]
            if name not in value or f.get("type") == "dataSource":
                continue
            here = (*at, name)
            untouched = not any(c[: len(here)] == here for c in consumed)
            shapeless = not isinstance(value[name], dict | list)  # a container field holding null, say
            if untouched and (
                here in builder.failures or f["id"] not in builder.new_ids or not _is_container(f) or shapeless
            ):
                reason = SHAPELESS if shapeless and _is_container(f) else reason_for(here, f["id"])
                keep(here, value[name], reason)
                continue
            if f.get("type") == "object" and isinstance(value[name], dict):
                leftovers(f.get("fields", []), value[name], here)
            elif _is_container(f) and isinstance(value[name], list):
                for i, item in enumerate(value[name]):
                    if isinstance(item, dict):
                        leftovers(f["items"].get("fields", []), item, (*here, i))

    leftovers(old, data, ())
    old_names = {f["name"] for f in old}
    for key, value in data.items():  # orphans of earlier changes stay as they were
        if key not in old_names:
            if key in out:
                keep((key,), value, "An orphan of an earlier change; its name is now taken.")
            else:
                out[key] = copy.deepcopy(value)
    return result


UNLOCALIZED = "The field is no longer localized: the source's value is now every copy's; this copy's is kept here."


def unlocalized_paths(old: list[dict], new: list[dict]) -> list[tuple]:
    """Paths (new schema, outside lists) of fields that were translated per copy and no longer are."""
    before = _paths(old)
    return [
        path
        for fid, (path, f) in _paths(new).items()
        if fid in before
        and ANY_ITEM not in path
        and not _is_container(f)
        and is_localized(before[fid][1])
        and not is_localized(f)
    ]


def share_source_values(result: Migration, source: dict, paths: list[tuple]) -> None:
    """A copy's value of each field in `paths` becomes the source's (`source`: its migrated data); a different
    value of its own is kept as an orphan and listed, never dropped."""
    for path in paths:
        mine, theirs = _get(result.data, path), _get(source, path)
        if mine == theirs:
            continue
        if mine is not MISSING:
            _remove(result.data, path)
            result.keep(path, mine, UNLOCALIZED)
        if theirs is not MISSING:
            node = result.data
            for step in path[:-1]:
                node = node.setdefault(step, {})
            node[path[-1]] = copy.deepcopy(theirs)


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        if not isinstance(data, dict) or step not in data:
            return MISSING
        data = data[step]
    return data


def _is_container(f: dict) -> bool:
    items = f.get("items")
    return f.get("type") == "object" or (
        f.get("type") == "array" and isinstance(items, dict) and items.get("type") == "object"
    )


def _field_path(parts: tuple) -> tuple:
    return tuple(ANY_ITEM if isinstance(part, int) else part for part in parts)


def _types(builder: _Builder, old_path: tuple) -> dict:
    for path, f in builder.old_paths.values():
        if path == old_path:
            return {"fromType": _type_name(f)}
    return {}


def _problem_at(problems: dict[str, str], key: str) -> str | None:
    """The first validation message at data path `key` or below it."""
    where = "data." + key
    for path, message in problems.items():
        if path == where or path.startswith((where + ".", where + "[")):
            return message
    return None


def _remove(data: dict, parts: tuple) -> None:
    node: Any = data
    for step in parts[:-1]:
        node = node[step]
    del node[parts[-1]]

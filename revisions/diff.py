"""Change lists between two block states: pure functions, no database.

A state is what `blocks.services.writing.block_state` returns (`name`, `path`, `tags`, `status`, `schema`,
`data`…). `changes(before, after)` lists `{"field", "from", "to"}` entries in a stable order:

- top-level fields by name (`name`, `path`, `tags`, `status`, `schema`); `data` entries by path, recursing
  into objects (`data.logo.url`); a key that appears or disappears goes from or to `null`;
- in the summary form (`full=False`, what revisions store) a list that kept its length is walked item by
  item (`data.plans[1].planName`), up to `MAX_INSIDE_LIST` changes inside it, so the editor reads which plan's
  name changed, not "3 items → 3 items"; a list that grew or shrank (or changed in more places) is
  `"3 items"`; a string is cut at 200 characters. A stored change list stays small whatever the block holds;
- `full=True` (compare) gives the values themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_STRING = 200
#: the most changes a summary reports inside one list of unchanged length before it says only "N items"
MAX_INSIDE_LIST = 20
ELLIPSIS = "…"
# The editable fields a change list reports, in the order it reports them; `data` is walked by path.
TOP_FIELDS = ("name", "path", "tags", "status", "schema")
_MISSING = object()


def summarise(value: Any) -> Any:
    """The short form of a value: `"N items"` for a list, `"N fields"` for an object, long strings cut."""
    if isinstance(value, list):
        return f"{len(value)} item" if len(value) == 1 else f"{len(value)} items"
    if isinstance(value, dict):
        return f"{len(value)} field" if len(value) == 1 else f"{len(value)} fields"
    if isinstance(value, str) and len(value) > MAX_STRING:
        return value[: MAX_STRING - 1] + ELLIPSIS
    return value


def _entry(field: str, old: Any, new: Any, full: bool) -> dict:
    old = None if old is _MISSING else old
    new = None if new is _MISSING else new
    if not full:
        old, new = summarise(old), summarise(new)
    return {"field": field, "from": old, "to": new}


def _walk(path: str, old: Any, new: Any, full: bool) -> Iterator[dict]:
    if old == new:
        return
    old_is_obj = isinstance(old, dict) or old is _MISSING or old is None
    new_is_obj = isinstance(new, dict) or new is _MISSING or new is None
    if (isinstance(old, dict) or isinstance(new, dict)) and old_is_obj and new_is_obj:
        # An object (or an object appearing / disappearing): report each leaf by its path.
        old_map = old if isinstance(old, dict) else {}
        new_map = new if isinstance(new, dict) else {}
        keys = list(new_map) + [key for key in old_map if key not in new_map]
        for key in keys:
            yield from _walk(f"{path}.{key}", old_map.get(key, _MISSING), new_map.get(key, _MISSING), full)
        return
    if not full and isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        inside: list[dict] = []
        for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
            inside.extend(_walk(f"{path}[{index}]", old_item, new_item, full))
            if len(inside) > MAX_INSIDE_LIST:
                break
        if len(inside) <= MAX_INSIDE_LIST:
            yield from inside
            return
    yield _entry(path, old, new, full)


def changes(before: dict | None, after: dict | None, *, full: bool = False) -> list[dict]:
    """The change list from state `before` to state `after` (`None` for "did not exist")."""
    before = before or {}
    after = after or {}
    found: list[dict] = []
    for field in TOP_FIELDS:
        old, new = before.get(field, _MISSING), after.get(field, _MISSING)
        if old is _MISSING and new in (_MISSING, None, "", [], {}):
            continue  # a new block's empty fields are not news
        if (None if old is _MISSING else old) != (None if new is _MISSING else new):
            found.append(_entry(field, old, new, full))
    found.extend(_walk("data", before.get("data") or {}, after.get("data") or {}, full))
    return found

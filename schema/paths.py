"""Error paths as the API shows them: `data.navLinks[1].url`, `schema[3].fields[0].name`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

#: the step of a field path that stands for "every item of the list" (field names cannot contain it)
ANY_ITEM = "*"


def format_path(prefix: str, parts: Iterable[str | int]) -> str:
    out = [prefix]
    for part in parts:
        out.append(f"[{part}]" if isinstance(part, int) else f".{part}")
    return "".join(out)


def values_at(value: Any, path: tuple, _i: int = 0, _prefix: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every `(concrete path, value)` that the field path `path` (with `ANY_ITEM` steps) reaches in `value`."""
    if _i == len(path):
        yield _prefix, value
        return
    step = path[_i]
    if step == ANY_ITEM:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from values_at(item, path, _i + 1, (*_prefix, index))
    elif isinstance(value, dict) and step in value:
        yield from values_at(value[step], path, _i + 1, (*_prefix, step))

"""The limits every JSON value a client sends must keep, whatever field or option it fills.

- **Numbers**: magnitude at most 2^53 - 1 (`MAX_SAFE_INTEGER`, what a JavaScript frontend holds exactly),
  integers and floats alike (`1e20` is refused: PostgreSQL's jsonb gives it back as a 67-bit integer that no
  JSON renderer of ours should have to meet).
- **Depth**: a value nests at most `MAX_DEPTH` (32) levels of lists and objects. Typed schemas never come near
  it (5 levels); it bounds free-form values (an `array` without `items`, a `default`, data-source `params`),
  so every accepted value renders (orjson stops at 255 levels) and nothing recurses without end.

`value_problems` walks a value without recursion (a hostile value cannot raise RecursionError here) and names
each problem with its exact path (`data.n`, `schema[0].default[3]`). It runs on what a client sends (a data
patch, a schema), before anything else looks at it, so the JSON Schema engine and the sanitiser only ever
see values inside the limits.
"""

from __future__ import annotations

from typing import Any

from schema.paths import format_path

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 32
#: a refusal names at most this many places (a list of 1,000 huge numbers is one problem, told 20 times)
MAX_REPORTED = 20

NUMBER_MESSAGE = f"Must be a number between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}."
DEPTH_MESSAGE = f"Nested too deep: at most {MAX_DEPTH} levels of lists and objects."


def number_ok(value: int | float) -> bool:
    """A finite number of magnitude at most 2^53 - 1 (NaN and infinities are not JSON either)."""
    return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER


def value_problems(value: Any, where: str, *, max_depth: int = MAX_DEPTH) -> dict[str, str]:
    """`{path: message}` for every number out of range and every container nested deeper than `max_depth`
    in `value` (at most `MAX_REPORTED`); `where` is the path of `value` itself. Empty when all is well.

    Depth counts containers: `1` is 0 levels, `[1]` one, `[[1]]` two; a container past the limit is reported
    at its own path. A quick pass says yes or no first (a valid 2 MB document costs well under one
    `json.loads`); only a value that fails is walked again to name each place.
    """
    if _fine(value, 0, max_depth):
        return {}
    return _problems(value, where, max_depth)


def _fine(item: Any, depth: int, limit: int) -> bool:
    """Whether `item` keeps both limits. Recursive, but never deeper than `limit` frames."""
    kind = type(item)
    values: Any
    if kind is dict:
        if depth >= limit:
            return False
        values = item.values()
    elif kind is list:
        if depth >= limit:
            return False
        values = item
    elif kind is int or kind is float:
        return -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER
    else:
        # a subclass (never parsed JSON) goes to the full walk; strings, booleans and null keep the limits
        return not (isinstance(item, dict | list | int | float) and not isinstance(item, bool))
    for sub in values:
        kind = type(sub)
        if kind is str or sub is None or kind is bool:
            continue
        if kind is int or kind is float:
            if -MAX_SAFE_INTEGER <= sub <= MAX_SAFE_INTEGER:
                continue
            return False
        if not _fine(sub, depth + 1, limit):
            return False
    return True


def _problems(value: Any, where: str, max_depth: int) -> dict[str, str]:
    """The full walk, iterative: every problem with its path (spelled only for what is reported)."""
    out: dict[str, str] = {}
    stack: list[tuple[Any, int, Trail]] = [(value, 0, None)]
    while stack and len(out) < MAX_REPORTED:
        item, depth, trail = stack.pop()
        if isinstance(item, bool) or item is None or isinstance(item, str):
            continue
        if isinstance(item, dict | list):
            if depth >= max_depth:
                out[_spell(where, trail)] = DEPTH_MESSAGE
                continue
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend([(sub, depth + 1, (trail, key)) for key, sub in pairs][::-1])
        elif isinstance(item, int | float) and not number_ok(item):
            out[_spell(where, trail)] = NUMBER_MESSAGE
    return out


Trail = tuple[Any, str | int] | None


def _spell(where: str, trail: Trail) -> str:
    parts: list[str | int] = []
    while trail is not None:
        trail, key = trail
        parts.append(key)
    return format_path(where, reversed(parts))

"""Equality of JSON values as JSON sees them, types included.

Python finds `[1] == [True] == [1.0]`; a JSON document does not. Telling a real change from a value sent
again (the write path's no-op check, the admin's free-form fields) must not take `true` for `1`.
"""

from __future__ import annotations

from typing import Any


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON, types included (object keys in any order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return a == b

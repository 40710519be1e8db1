"""Walking a (checked) schema: every field with its path, for code that needs more than validation
(translation status, data sources, the admin form, revision diffs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from schema.paths import ANY_ITEM
from schema.registry import is_localized


@dataclass(frozen=True)
class FieldRef:
    """A field definition and where it sits: `path` like `("navLinks", "*", "url")`, `level` from 1."""

    path: tuple[str, ...]
    field: dict
    level: int

    @property
    def type(self) -> str:
        return self.field["type"]

    @property
    def localized(self) -> bool:
        return is_localized(self.field)


def iter_fields(schema: list[dict], *, _path: tuple = (), _level: int = 1) -> Iterator[FieldRef]:
    """Every named field, depth first in schema order; array `items` are walked through (`*` in the path)."""
    for field in schema:
        path = (*_path, field["name"])
        yield FieldRef(path, field, _level)
        yield from _nested(field, path, _level)


def _nested(field: dict, path: tuple, level: int) -> Iterator[FieldRef]:
    if field.get("type") == "object":
        yield from iter_fields(field.get("fields", []), _path=path, _level=level + 1)
    elif field.get("type") == "array" and isinstance(field.get("items"), dict):
        yield from _nested(field["items"], (*path, ANY_ITEM), level)


def top_level_names(schema: list[dict]) -> list[str]:
    return [field["name"] for field in schema]


def localized_fields(schema: list[dict]) -> list[str]:
    """Names of the top-level fields translators translate (own `localized`, else the type's default)."""
    return [field["name"] for field in schema if is_localized(field) and field["type"] != "dataSource"]

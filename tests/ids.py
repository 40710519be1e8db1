"""Stored schemas carry a field `id` on every field (issue 18, `schema.identity`); tests that compare a stored
schema with the one they sent compare it without the ids."""

from __future__ import annotations

from typing import Any


def without_ids(schema: Any) -> Any:
    """`schema` with every field's `id` left out (nested fields and list items included)."""
    if isinstance(schema, list):
        return [without_ids(item) for item in schema]
    if isinstance(schema, dict):
        return {key: without_ids(value) for key, value in schema.items() if key != "id"}
    return schema

"""The wordings of the rules every app shares: one sentence per rule, so a limit reads the same everywhere.

A rule of one app only (a block's path, a webhook's secret) keeps its words beside its code; what more than
one app says (a required key, a string length, a value of the wrong JSON type) comes from here.
"""

from __future__ import annotations

UNKNOWN_FIELD = "Unknown field."
REQUIRED = "This field is required."
IMMUTABLE = "This field cannot be changed."
NON_EMPTY_STRING = "Required: a non-empty string."
MUST_BE_STRING = "Must be a string."
MUST_BE_BOOLEAN = "Must be true or false."
MUST_BE_STRINGS = "Must be a list of strings."
MUST_BE_OBJECT = "Must be an object."


def too_long(limit: int) -> str:
    """A string over `limit` characters."""
    return f"At most {limit} characters."


def too_many(limit: int, things: str) -> str:
    """A list over `limit` items: `too_many(20, "tags")`."""
    return f"At most {limit} {things}."

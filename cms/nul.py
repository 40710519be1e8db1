"""NUL characters, which PostgreSQL text and jsonb cannot hold: found and refused before they reach the database.

Every entry point that takes free text checks here (the JSON parser for the API, the admin's block forms; a
NUL in a URL is refused by `NulInUrlMiddleware`), so on PostgreSQL a NUL is a clear `bad_request` naming its
path, never a 500, and SQLite installs refuse the same input so content moves between the two unchanged.
"""

from __future__ import annotations

from typing import Any

from cms import errors

MESSAGE = "Contains a NUL character (\\u0000)."


def nul_paths(document: Any) -> list[str]:
    """The paths (`data.links[0].label` style) of every string value or key in `document` holding a NUL.

    Iterative, so the deepest document the JSON parser accepts cannot exhaust Python's stack."""
    carrying: list[str] = []
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                carrying.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                step = str(key).replace("\x00", "\\u0000")
                child = f"{path}.{step}" if path else step
                if "\x00" in str(key):
                    carrying.append(child)
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return sorted(carrying)


def refuse_nul(document: Any) -> None:
    """Raise `bad_request` naming every path in `document` that holds a NUL."""
    carrying = nul_paths(document)
    if carrying:
        fields = {path or "body": MESSAGE for path in carrying}
        raise errors.BadRequest("The request contains a NUL character (\\u0000).", fields=fields)

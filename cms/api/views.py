"""Query-parameter and body helpers every API view shares (no app knowledge here).

The base view that knows who acts on which site is `accounts.api.SiteAPIView`; `If-Match` is
`cms.api.preconditions`.
"""

from __future__ import annotations

from cms import errors

# Query parameters every management view accepts: the locale addressed, and the site for session access.
COMMON_PARAMS = frozenset({"locale", "site", "format"})


def allow_params(request, allowed: set[str] | frozenset[str] = frozenset()) -> None:
    """Refuse unknown query parameters: a misspelt filter must not silently return everything."""
    unknown = set(request.query_params) - COMMON_PARAMS - set(allowed)
    if unknown:
        raise errors.BadRequest(
            "Unknown query parameter: " + ", ".join(sorted(unknown)) + ".",
            fields={name: "Unknown query parameter." for name in sorted(unknown)},
        )


def parse_flag(raw: str | None, name: str) -> bool:
    """A yes/no query parameter as both APIs take it: absent is false; `1/true/yes` or a bare `?name` true."""
    if raw is None:
        return False
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", ""}:
        return True
    if lowered in {"0", "false", "no"}:
        return False
    raise errors.BadRequest(f"`{name}` must be true or false.", fields={name: "Must be true or false."})


def flag_param(request, name: str) -> bool:
    return parse_flag(request.query_params.get(name), name)

"""The rules of a template's own values (name, slug, description): pure functions answering `{field: message}`.

The template's schema is checked by the schema engine (`schema.check_schema`), like a block's.
"""

from __future__ import annotations

from django.utils.text import slugify

from cms import messages

MAX_NAME_LENGTH = 200
MAX_SLUG_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2000
NAME_MESSAGE = messages.NON_EMPTY_STRING
SLUG_MESSAGE = "Must be lowercase letters, digits and hyphens (like `landing-page`)."
DESCRIPTION_MESSAGE = messages.MUST_BE_STRING


def name_problems(name: str) -> dict[str, str]:
    if not name.strip():
        return {"name": NAME_MESSAGE}
    if len(name) > MAX_NAME_LENGTH:
        return {"name": messages.too_long(MAX_NAME_LENGTH)}
    return {}


def slug_problems(slug: str) -> dict[str, str]:
    if not slug or slugify(slug) != slug or len(slug) > MAX_SLUG_LENGTH:
        return {"slug": SLUG_MESSAGE}
    return {}


def description_problems(description: str) -> dict[str, str]:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        return {"description": messages.too_long(MAX_DESCRIPTION_LENGTH)}
    return {}

"""The rules of a block's own values (name, slug, path, tags): pure functions answering `{field: message}`.

Each rule exists here once. The services check them for every caller (the API, the admin, the commands);
when a request body has values of the wrong type, the management API's input serializers ask the services'
validation functions (which call these) about the values that did parse, so one answer names every problem.
The values have their types already (the input layer checked them): these rules are about content only.
"""

from __future__ import annotations

import re

from django.utils.text import slugify

from cms import messages

MAX_NAME_LENGTH = 200
MAX_SLUG_LENGTH = 200
MAX_PATH_LENGTH = 2048
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
PATH_RE = re.compile(r"^/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$")

NAME_MESSAGE = messages.NON_EMPTY_STRING
TYPE_MESSAGE = "Must be `global` or `page`."
PATH_MESSAGE = "Must be a string starting with /."
SLUG_MESSAGE = "Must be lowercase letters, digits and hyphens (like `about-page`)."
TAG_MESSAGE = f"Must be a non-empty string of at most {MAX_TAG_LENGTH} characters, no comma."
PATH_ON_GLOBAL = "Only page blocks have a path."


def name_problems(name: str, field: str = "name") -> dict[str, str]:
    if not name.strip():
        return {field: NAME_MESSAGE}
    if len(name) > MAX_NAME_LENGTH:
        return {field: messages.too_long(MAX_NAME_LENGTH)}
    return {}


def slug_problems(slug: str, field: str = "slug") -> dict[str, str]:
    if not slug or slugify(slug) != slug or len(slug) > MAX_SLUG_LENGTH:
        return {field: SLUG_MESSAGE}
    return {}


def path_problems(path: str, field: str = "path") -> dict[str, str]:
    if len(path) > MAX_PATH_LENGTH:
        return {field: messages.too_long(MAX_PATH_LENGTH)}
    if not PATH_RE.match(path):
        return {field: "Must start with / and contain only URL path characters (no spaces, ? or #)."}
    return {}


def tags_problems(tags: list[str], field: str = "tags") -> dict[str, str]:
    problems: dict[str, str] = {}
    if len(tags) > MAX_TAGS:
        problems[field] = messages.too_many(MAX_TAGS, "tags")
    for index, tag in enumerate(tags):
        if not tag.strip() or len(tag) > MAX_TAG_LENGTH or "," in tag:
            problems[f"{field}[{index}]"] = TAG_MESSAGE
    return problems


def clean_tags(tags: list[str]) -> list[str]:
    """The tags stripped, each once, in the order given."""
    return list(dict.fromkeys(tag.strip() for tag in tags))
